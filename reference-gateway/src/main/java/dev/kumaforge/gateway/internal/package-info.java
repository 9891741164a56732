/** Helpers for the gateway's own packages only. */
package dev.kumaforge.gateway.internal;
