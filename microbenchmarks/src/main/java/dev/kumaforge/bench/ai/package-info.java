/** JMH benchmarks of the AI gateway: context trimming, PII masking and per-chunk stream work. */
package dev.kumaforge.bench.ai;
