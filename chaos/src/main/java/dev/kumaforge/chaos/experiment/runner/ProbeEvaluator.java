package dev.kumaforge.chaos.experiment.runner;

import dev.kumaforge.chaos.experiment.Probe;

/** Measures one kind of probe; the harness supplies the load-based ones (error-rate, latency). */
public interface ProbeEvaluator {
  /** Measures {@code probe} now and checks it against its tolerance. */
  ProbeResult evaluate(Probe probe) throws Exception;

  /**
   * A probe measurement.
   *
   * @param ok whether the value is within tolerance
   * @param value the measured value (ratio, milliseconds, status or sample value)
   * @param detail a human-readable account, e.g. {@code p99 412.0ms > 250ms}
   */
  record ProbeResult(boolean ok, double value, String detail) {}
}
