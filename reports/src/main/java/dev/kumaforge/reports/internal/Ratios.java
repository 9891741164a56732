package dev.kumaforge.reports.internal;

import dev.kumaforge.reports.model.Range;
import dev.kumaforge.reports.model.Ratio;
import dev.kumaforge.reports.model.TargetSummary;
import dev.kumaforge.reports.model.TrialFigures;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The headline ratios of a run: every reference gateway against every peer gateway (nginx, HAProxy,
 * Envoy) for throughput, added p50, added p99 and CPU per request, each with its spread over the
 * interleaved trials.
 */
final class Ratios {
  private Ratios() {}

  static final Set<String> PEERS = Set.of("nginx", "haproxy", "envoy");

  static List<Ratio> between(List<TargetSummary> targets, String baseline) {
    TargetSummary base =
        targets.stream().filter(t -> t.name().equals(baseline)).findFirst().orElse(null);
    List<Ratio> out = new ArrayList<>();
    for (TargetSummary num : targets) {
      if (!"reference".equals(num.type())) {
        continue;
      }
      for (TargetSummary den : targets) {
        if (!PEERS.contains(den.type())) {
          continue;
        }
        out.add(
            ratio(
                num, den, "throughput", t -> t.throughputRps(), TrialFigures::throughputRps, null));
        if (base != null) {
          out.add(
              ratio(
                  num,
                  den,
                  "added_p50",
                  t -> t.addedLatencyUs() == null ? Double.NaN : t.addedLatencyUs().p50(),
                  tf -> tf.latencyUs().p50(),
                  base));
          out.add(
              ratio(
                  num,
                  den,
                  "added_p99",
                  t -> t.addedLatencyUs() == null ? Double.NaN : t.addedLatencyUs().p99(),
                  tf -> tf.latencyUs().p99(),
                  base));
        }
        out.add(
            ratio(
                num,
                den,
                "cpu_per_request",
                t -> t.cpuUsPerRequest() == null ? Double.NaN : t.cpuUsPerRequest(),
                tf -> tf.cpuUsPerRequest() == null ? Double.NaN : tf.cpuUsPerRequest(),
                null));
      }
    }
    return List.copyOf(out);
  }

  /**
   * @param merged the figure over all trials
   * @param perTrial the figure of one trial; with {@code base}, the trial's figure minus the
   *     baseline's figure of the same trial (added latency)
   */
  private static Ratio ratio(
      TargetSummary num,
      TargetSummary den,
      String metric,
      ToDoubleFunction<TargetSummary> merged,
      ToDoubleFunction<TrialFigures> perTrial,
      TargetSummary base) {
    Double value = divide(merged.applyAsDouble(num), merged.applyAsDouble(den));
    Map<Integer, Double> numTrials = byTrial(num, perTrial, base);
    Map<Integer, Double> denTrials = byTrial(den, perTrial, base);
    List<Double> ratios = new ArrayList<>();
    numTrials.forEach(
        (trial, n) -> {
          Double d = denTrials.get(trial);
          Double r = d == null ? null : divide(n, d);
          if (r != null) {
            ratios.add(r);
          }
        });
    return new Ratio(
        num.name(),
        den.name(),
        metric,
        value == null ? null : round(value),
        ratios.isEmpty()
            ? null
            : new Range(round(Range.of(ratios).min()), round(Range.of(ratios).max())),
        ratios.size());
  }

  private static Map<Integer, Double> byTrial(
      TargetSummary t, ToDoubleFunction<TrialFigures> f, TargetSummary base) {
    Map<Integer, TrialFigures> baseTrials = new HashMap<>();
    if (base != null && base.trials() != null) {
      base.trials().perTrial().forEach(tf -> baseTrials.put(tf.trial(), tf));
    }
    Map<Integer, Double> out = new HashMap<>();
    if (t.trials() == null) {
      return out;
    }
    for (TrialFigures tf : t.trials().perTrial()) {
      double v = f.applyAsDouble(tf);
      if (base != null) {
        TrialFigures b = baseTrials.get(tf.trial());
        if (b == null) {
          continue;
        }
        v -= f.applyAsDouble(b);
      }
      if (!Double.isNaN(v)) {
        out.put(tf.trial(), v);
      }
    }
    return out;
  }

  /**
   * {@code a / b}, or null when either is missing or not positive: a negative added latency (a
   * target measured faster than direct in a trial) is noise, and a ratio of noise means nothing.
   */
  private static Double divide(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b) || a <= 0 || b <= 0) {
      return null;
    }
    return a / b;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
