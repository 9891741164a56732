/** Latency recording benchmarks: the load engine's HdrHistogram recording path. */
package dev.kumaforge.bench.hdr;
