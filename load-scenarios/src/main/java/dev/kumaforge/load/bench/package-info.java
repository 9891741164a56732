/** Measures the open-loop engine's own maximum rate and CPU use against a fast server. */
package dev.kumaforge.load.bench;
