/** JMH benchmarks of the AI gateway's request path: context trimming and PII masking. */
package dev.kumaforge.bench.ai;
