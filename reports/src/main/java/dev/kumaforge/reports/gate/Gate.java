package dev.kumaforge.reports.gate;

import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.reports.compare.Metric;
import dev.kumaforge.reports.internal.Units;
import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.model.TargetSummary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The CI regression gate ({@code forge gate --baseline FILE RUN}): compares a run's summary with a
 * baseline summary, target by target, and fails a metric only when it got worse by more than its
 * threshold <em>and</em> by more than the trial-to-trial noise (the larger per-trial spread of the
 * two runs).
 *
 * <pre>{@code
 * GateResult r = Gate.check(SummaryJson.read(baselineFile), SummaryJson.read(runDir), GatePolicy.defaults());
 * Gate.writeJunit(r, runDir.resolve("gate-junit.xml"));
 * System.exit(r.exitCode());
 * }</pre>
 */
public final class Gate {
  private Gate() {}

  /** Checks {@code run} against {@code baseline} with {@code policy}. */
  public static GateResult check(Summary baseline, Summary run, GatePolicy policy) {
    List<String> invalid = new ArrayList<>();
    if (Summary.INVALID.equals(run.verdict())) {
      invalid.add("the run is invalid: " + run.verdictReason());
    }
    if (Summary.INVALID.equals(baseline.verdict())) {
      invalid.add("the baseline is invalid: " + baseline.verdictReason());
    }
    if (!baseline.scenario().equals(run.scenario())) {
      invalid.add(
          "the baseline is scenario \""
              + baseline.scenario()
              + "\" but the run is \""
              + run.scenario()
              + "\"");
    }
    List<GateCheck> checks = new ArrayList<>();
    for (TargetSummary bt : baseline.targets()) {
      if (run.target(bt.name()).isEmpty()) {
        checks.add(
            new GateCheck(
                bt.name(),
                "target present",
                "targets",
                1,
                0,
                1,
                0,
                0,
                false,
                "target \"" + bt.name() + "\" of the baseline is missing from the run"));
        continue;
      }
      for (Map.Entry<Metric, Double> e : policy.thresholds().entrySet()) {
        check(baseline, run, bt.name(), e.getKey(), e.getValue()).ifPresent(checks::add);
      }
    }
    return new GateResult(run.scenario(), List.copyOf(checks), List.copyOf(invalid));
  }

  /** Writes the gate's JUnit XML atomically. */
  public static void writeJunit(GateResult result, Path file) {
    AtomicFiles.writeString(file, result.junitXml());
  }

  private static Optional<GateCheck> check(
      Summary baseline, Summary run, String target, Metric m, double threshold) {
    Optional<Double> b = m.value(baseline, target);
    Optional<Double> a = m.value(run, target);
    if (b.isEmpty() || a.isEmpty()) {
      return Optional.empty();
    }
    double base = b.get();
    double actual = a.get();
    boolean absolute = m == Metric.ERROR_RATE;
    double worsening = m.lowerIsBetter() ? actual - base : base - actual;
    double limit = absolute ? threshold : Math.abs(base) * threshold;
    double noise = Math.max(m.noise(baseline, target), m.noise(run, target));
    boolean passed = !(worsening > limit && worsening > noise);
    String name =
        (m.lowerIsBetter() ? "" : "drop of ")
            + m.key()
            + (absolute
                ? " increase <= " + Units.percent(threshold)
                : (m.lowerIsBetter() ? " increase <= " : " <= ") + Units.percent(threshold));
    String message =
        String.format(
            Locale.ROOT,
            "baseline %s, run %s, worse by %s (limit %s, noise %s)%s",
            fmt(m, base),
            fmt(m, actual),
            fmt(m, worsening),
            fmt(m, limit),
            fmt(m, noise),
            passed
                ? (worsening > limit ? ": within noise" : "")
                : ": exceeds both the limit and the trial-to-trial noise");
    return Optional.of(
        new GateCheck(
            target, name, m.key(), base, actual, worsening, limit, noise, passed, message));
  }

  private static String fmt(Metric m, double v) {
    return switch (m.unit()) {
      case "µs" -> Units.micros(v);
      case "fraction" -> Units.percent(v);
      case "x" -> String.format(Locale.ROOT, "%.3fx", v);
      default -> Units.rate(v) + " req/s";
    };
  }
}
