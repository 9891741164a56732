/** MeshCircuitBreaker: connection limits and outlier detection. */
package dev.kumaforge.gateway.circuitbreaker;
