package dev.kumaforge.reports.compare;

import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.model.TargetSummary;
import dev.kumaforge.reports.model.TrialFigures;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * A figure of a target read from a summary, both over the whole run and per trial (for noise).
 * Ratio metrics divide the target's figure by the baseline target's same figure, trial by trial.
 */
public enum Metric {
  /** Throughput, requests per second (higher is better). */
  THROUGHPUT(
      "throughput_rps", "req/s", false, false, t -> t.throughputRps(), tr -> tr.throughputRps()),
  /** Latency p50 in µs. */
  P50("latency_us.p50", "µs", true, false, t -> t.latencyUs().p50(), tr -> tr.latencyUs().p50()),
  /** Latency p90 in µs. */
  P90("latency_us.p90", "µs", true, false, t -> t.latencyUs().p90(), tr -> tr.latencyUs().p90()),
  /** Latency p99 in µs. */
  P99("latency_us.p99", "µs", true, false, t -> t.latencyUs().p99(), tr -> tr.latencyUs().p99()),
  /** Latency p99.9 in µs. */
  P999(
      "latency_us.p999", "µs", true, false, t -> t.latencyUs().p999(), tr -> tr.latencyUs().p999()),
  /** Maximum latency in µs. */
  MAX("latency_us.max", "µs", true, false, t -> t.latencyUs().max(), tr -> tr.latencyUs().max()),
  /** Error rate, a fraction. */
  ERROR_RATE("error_rate", "fraction", true, false, t -> t.errorRate(), tr -> tr.errorRate()),
  /** p50 latency of the target divided by the baseline target's p50 in the same run. */
  RATIO_P50(
      "ratio_vs_baseline.p50",
      "x",
      true,
      true,
      t -> t.latencyUs().p50(),
      tr -> tr.latencyUs().p50()),
  /** p99 latency of the target divided by the baseline target's p99 in the same run. */
  RATIO_P99(
      "ratio_vs_baseline.p99",
      "x",
      true,
      true,
      t -> t.latencyUs().p99(),
      tr -> tr.latencyUs().p99());

  private final String key;
  private final String unit;
  private final boolean lowerIsBetter;
  private final boolean ratio;
  private final ToDoubleFunction<TargetSummary> whole;
  private final ToDoubleFunction<TrialFigures> trial;

  Metric(
      String key,
      String unit,
      boolean lowerIsBetter,
      boolean ratio,
      ToDoubleFunction<TargetSummary> whole,
      ToDoubleFunction<TrialFigures> trial) {
    this.key = key;
    this.unit = unit;
    this.lowerIsBetter = lowerIsBetter;
    this.ratio = ratio;
    this.whole = whole;
    this.trial = trial;
  }

  /** The summary field this metric reads, e.g. {@code latency_us.p99}. */
  public String key() {
    return key;
  }

  /** Unit of the value: µs, req/s, fraction or x (a ratio). */
  public String unit() {
    return unit;
  }

  /** True when a smaller value is better (latency, errors, ratios). */
  public boolean lowerIsBetter() {
    return lowerIsBetter;
  }

  /**
   * The value for {@code target} over the whole run; empty when the target is missing or a ratio
   * has no baseline (or is the baseline itself).
   */
  public Optional<Double> value(Summary s, String target) {
    Optional<TargetSummary> t = s.target(target);
    if (t.isEmpty()) {
      return Optional.empty();
    }
    if (!ratio) {
      return Optional.of(whole.applyAsDouble(t.get()));
    }
    Optional<TargetSummary> base = baseline(s, target);
    if (base.isEmpty() || whole.applyAsDouble(base.get()) <= 0) {
      return Optional.empty();
    }
    return Optional.of(whole.applyAsDouble(t.get()) / whole.applyAsDouble(base.get()));
  }

  /** The per-trial values for {@code target} (ratios pair trials with the same number). */
  public List<Double> perTrial(Summary s, String target) {
    List<Double> out = new ArrayList<>();
    Optional<TargetSummary> t = s.target(target);
    if (t.isEmpty()) {
      return out;
    }
    Optional<TargetSummary> base = ratio ? baseline(s, target) : Optional.empty();
    if (ratio && base.isEmpty()) {
      return out;
    }
    for (TrialFigures tr : t.get().trials().perTrial()) {
      if (!ratio) {
        out.add(trial.applyAsDouble(tr));
        continue;
      }
      base.get().trials().perTrial().stream()
          .filter(b -> b.trial() == tr.trial() && trial.applyAsDouble(b) > 0)
          .findFirst()
          .ifPresent(b -> out.add(trial.applyAsDouble(tr) / trial.applyAsDouble(b)));
    }
    return out;
  }

  /**
   * Trial-to-trial noise of this metric for {@code target}: the width (max - min) of its per-trial
   * values; 0 with fewer than two trials.
   */
  public double noise(Summary s, String target) {
    List<Double> values = perTrial(s, target);
    if (values.size() < 2) {
      return 0;
    }
    double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    return max - min;
  }

  private static Optional<TargetSummary> baseline(Summary s, String target) {
    if (s.baseline() == null || s.baseline().equals(target)) {
      return Optional.empty();
    }
    return s.target(s.baseline());
  }
}
