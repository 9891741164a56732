package dev.kumaforge.reports.render.internal;

import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.model.TargetSummary;
import dev.kumaforge.reports.model.TrialFigures;
import dev.kumaforge.reports.render.internal.Charts.Bar;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToLongFunction;

/** The comparison bars of a run: one bar per target with the per-trial range. */
public final class Comparisons {
  private Comparisons() {}

  /** Throughput per target (req/s), spread = per-trial throughput. */
  public static List<Bar> throughput(Summary s) {
    List<Bar> out = new ArrayList<>();
    for (int i = 0; i < s.targets().size(); i++) {
      TargetSummary t = s.targets().get(i);
      List<Double> trials =
          t.trials().perTrial().stream().map(TrialFigures::throughputRps).toList();
      out.add(bar(t, i, t.throughputRps(), trials));
    }
    return out;
  }

  /** CPU µs per request of every target that measured it. */
  public static List<Bar> cpu(Summary s) {
    List<Bar> out = new ArrayList<>();
    for (int i = 0; i < s.targets().size(); i++) {
      TargetSummary t = s.targets().get(i);
      if (t.cpuUsPerRequest() == null) {
        continue;
      }
      List<Double> trials =
          t.trials().perTrial().stream()
              .map(TrialFigures::cpuUsPerRequest)
              .filter(Objects::nonNull)
              .toList();
      out.add(bar(t, i, t.cpuUsPerRequest(), trials));
    }
    return out;
  }

  /**
   * Added latency in ms at {@code p50} or {@code p99} of every non-baseline target; per trial, the
   * target's percentile minus the baseline's in the same trial.
   */
  public static List<Bar> added(Summary s, String percentile) {
    TargetSummary base = s.baseline() == null ? null : s.target(s.baseline()).orElse(null);
    List<Bar> out = new ArrayList<>();
    if (base == null) {
      return out;
    }
    ToLongFunction<TrialFigures> f =
        "p50".equals(percentile) ? tf -> tf.latencyUs().p50() : tf -> tf.latencyUs().p99();
    Map<Integer, TrialFigures> baseTrials = new HashMap<>();
    base.trials().perTrial().forEach(tf -> baseTrials.put(tf.trial(), tf));
    for (int i = 0; i < s.targets().size(); i++) {
      TargetSummary t = s.targets().get(i);
      if (t.addedLatencyUs() == null) {
        continue;
      }
      List<Double> trials = new ArrayList<>();
      for (TrialFigures tf : t.trials().perTrial()) {
        TrialFigures b = baseTrials.get(tf.trial());
        if (b != null && tf.latencyUs().count() > 0 && b.latencyUs().count() > 0) {
          trials.add((f.applyAsLong(tf) - f.applyAsLong(b)) / 1000.0);
        }
      }
      long merged = "p50".equals(percentile) ? t.addedLatencyUs().p50() : t.addedLatencyUs().p99();
      out.add(bar(t, i, merged / 1000.0, trials));
    }
    return out;
  }

  /** Cost in USD per 1,000 requests of every target whose trials carry a cost. */
  public static List<Bar> costPer1k(Summary s) {
    List<Bar> out = new ArrayList<>();
    for (int i = 0; i < s.targets().size(); i++) {
      TargetSummary t = s.targets().get(i);
      if (t.costPer1kRequestsUsd() == null) {
        continue;
      }
      List<Double> trials =
          t.trials().perTrial().stream()
              .filter(tf -> tf.costUsd() != null && tf.requests() > 0)
              .map(tf -> tf.costUsd() * 1000.0 / tf.requests())
              .toList();
      out.add(bar(t, i, t.costPer1kRequestsUsd(), trials));
    }
    return out;
  }

  private static Bar bar(TargetSummary t, int index, double value, List<Double> trials) {
    double min = trials.stream().mapToDouble(Double::doubleValue).min().orElse(value);
    double max = trials.stream().mapToDouble(Double::doubleValue).max().orElse(value);
    return new Bar(t.name(), index, value, min, max);
  }
}
