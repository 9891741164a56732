/** Circuit breaker and outlier detection state benchmarks. */
package dev.kumaforge.bench.circuitbreaker;
