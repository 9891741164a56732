/**
 * Supervision of the child processes a run starts: start, readiness, logs, CPU/RSS sampling, stop.
 */
package dev.kumaforge.harness.process;
