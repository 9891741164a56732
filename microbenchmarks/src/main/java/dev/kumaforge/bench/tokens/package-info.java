/** Token counting benchmarks (jtokkit BPE encodings). */
package dev.kumaforge.bench.tokens;
