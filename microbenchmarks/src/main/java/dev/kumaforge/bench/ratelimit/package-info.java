/** Local rate limiter benchmarks: token bucket and MeshRateLimit decisions. */
package dev.kumaforge.bench.ratelimit;
