package dev.kumaforge.reports.model;

import java.util.Collection;

/** The smallest and largest value of one figure across trials. */
public record Range(double min, double max) {

  /** The range of {@code values}; {@code (0, 0)} when empty. */
  public static Range of(Collection<? extends Number> values) {
    if (values.isEmpty()) {
      return new Range(0, 0);
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (Number n : values) {
      min = Math.min(min, n.doubleValue());
      max = Math.max(max, n.doubleValue());
    }
    return new Range(min, max);
  }

  /** {@code max - min}: the trial-to-trial noise of this figure. */
  public double width() {
    return max - min;
  }
}
