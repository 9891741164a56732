package dev.kumaforge.reports.model;

/**
 * Added latency in microseconds: the target's percentile minus the baseline's same percentile,
 * measured at the same rate in the same run (negative when the target was faster).
 */
public record AddedLatency(long p50, long p90, long p99, long p999) {

  /** {@code target - baseline}, percentile by percentile. */
  public static AddedLatency between(LatencyPercentiles target, LatencyPercentiles baseline) {
    return new AddedLatency(
        target.p50() - baseline.p50(),
        target.p90() - baseline.p90(),
        target.p99() - baseline.p99(),
        target.p999() - baseline.p999());
  }
}
