/** Atomic file writes and the ready-file protocol servers use to report what they bound. */
package dev.kumaforge.common.files;
