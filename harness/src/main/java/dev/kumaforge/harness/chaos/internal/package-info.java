/** Helpers of {@code forge chaos}: Prometheus text sums and counters that survive restarts. */
package dev.kumaforge.harness.chaos.internal;
