package dev.kumaforge.reports.model;

import org.HdrHistogram.AbstractHistogram;

/**
 * Latency percentiles in microseconds, read from an HdrHistogram (values are the highest equivalent
 * value of their bucket, so they are exact and reproducible).
 */
public record LatencyPercentiles(
    long count, long p50, long p90, long p99, long p999, long p9999, long max, double mean) {

  /** All zero: no sample was recorded. */
  public static final LatencyPercentiles EMPTY = new LatencyPercentiles(0, 0, 0, 0, 0, 0, 0, 0);

  /** The percentiles of {@code h}; {@link #EMPTY} when it holds no value. */
  public static LatencyPercentiles of(AbstractHistogram h) {
    if (h == null || h.getTotalCount() == 0) {
      return EMPTY;
    }
    return new LatencyPercentiles(
        h.getTotalCount(),
        h.getValueAtPercentile(50),
        h.getValueAtPercentile(90),
        h.getValueAtPercentile(99),
        h.getValueAtPercentile(99.9),
        h.getValueAtPercentile(99.99),
        h.getMaxValue(),
        Math.round(h.getMean() * 10) / 10.0);
  }

  /** The value of a percentile key ("p50", "p90", "p99", "p999", "p9999", "max"), or -1. */
  public long get(String key) {
    return switch (key) {
      case "p50" -> p50;
      case "p90" -> p90;
      case "p99" -> p99;
      case "p999" -> p999;
      case "p9999" -> p9999;
      case "max" -> max;
      default -> -1;
    };
  }
}
