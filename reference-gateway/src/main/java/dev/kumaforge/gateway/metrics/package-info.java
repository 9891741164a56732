/** Prometheus metrics of the gateway. */
package dev.kumaforge.gateway.metrics;
