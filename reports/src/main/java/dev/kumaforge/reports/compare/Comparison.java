package dev.kumaforge.reports.compare;

import dev.kumaforge.reports.internal.Units;
import dev.kumaforge.reports.model.Summary;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Two runs side by side ({@code forge compare A B}): for every target and metric, A, B, the
 * difference B - A, and the trial-to-trial noise, so a reader sees whether a difference is larger
 * than the noise.
 *
 * <pre>{@code
 * Comparison c = Comparison.of(SummaryJson.read(dirA), SummaryJson.read(dirB));
 * System.out.print(c.render());
 * }</pre>
 */
public final class Comparison {

  /**
   * One metric of one target: {@code a}/{@code b} are null when the target (or, for a ratio, its
   * baseline) is missing from that run; {@code noise} is the larger trial spread of the two runs;
   * {@code beyondNoise} is true when |diff| exceeds it.
   */
  public record Row(
      String target,
      Metric metric,
      Double a,
      Double b,
      Double diff,
      Double diffPct,
      double noise,
      boolean beyondNoise) {}

  private final Summary a;
  private final Summary b;
  private final List<Row> rows;

  private Comparison(Summary a, Summary b, List<Row> rows) {
    this.a = a;
    this.b = b;
    this.rows = rows;
  }

  /** Metrics shown by {@link #of}. */
  public static final List<Metric> METRICS =
      List.of(
          Metric.THROUGHPUT,
          Metric.P50,
          Metric.P90,
          Metric.P99,
          Metric.P999,
          Metric.MAX,
          Metric.ERROR_RATE,
          Metric.RATIO_P50,
          Metric.RATIO_P99);

  /** Compares run {@code a} (before) with run {@code b} (after), target by target (by name). */
  public static Comparison of(Summary a, Summary b) {
    Set<String> targets = new LinkedHashSet<>();
    a.targets().forEach(t -> targets.add(t.name()));
    b.targets().forEach(t -> targets.add(t.name()));
    List<Row> rows = new ArrayList<>();
    for (String t : targets) {
      for (Metric m : METRICS) {
        Optional<Double> va = m.value(a, t);
        Optional<Double> vb = m.value(b, t);
        if (va.isEmpty() && vb.isEmpty()) {
          continue;
        }
        double noise = Math.max(m.noise(a, t), m.noise(b, t));
        Double diff = va.isPresent() && vb.isPresent() ? vb.get() - va.get() : null;
        Double pct =
            diff != null && va.get() != 0 ? Math.round(diff / va.get() * 10000) / 100.0 : null;
        rows.add(
            new Row(
                t,
                m,
                va.orElse(null),
                vb.orElse(null),
                diff,
                pct,
                noise,
                diff != null && Math.abs(diff) > noise));
      }
    }
    return new Comparison(a, b, List.copyOf(rows));
  }

  /** Every row, target by target in the order of A then B. */
  public List<Row> rows() {
    return rows;
  }

  /** The row for {@code target} and {@code metric}, if both runs or one of them have it. */
  public Optional<Row> row(String target, Metric metric) {
    return rows.stream().filter(r -> r.target().equals(target) && r.metric() == metric).findFirst();
  }

  /** The comparison as a plain-text table for the terminal. */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append("A: ").append(describe(a)).append('\n');
    out.append("B: ").append(describe(b)).append('\n');
    List<String[]> lines = new ArrayList<>();
    lines.add(new String[] {"target", "metric", "A", "B", "B-A", "B-A %", "noise (+/-)", ""});
    for (Row r : rows) {
      lines.add(
          new String[] {
            r.target(),
            r.metric().key(),
            format(r.metric(), r.a()),
            format(r.metric(), r.b()),
            r.diff() == null ? "-" : signed(r.metric(), r.diff()),
            r.diffPct() == null ? "-" : String.format(Locale.ROOT, "%+.2f%%", r.diffPct()),
            format(r.metric(), r.noise()),
            verdict(r)
          });
    }
    int[] w = new int[8];
    for (String[] l : lines) {
      for (int i = 0; i < l.length; i++) {
        w[i] = Math.max(w[i], l[i].length());
      }
    }
    for (String[] l : lines) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < l.length; i++) {
        String pad = " ".repeat(w[i] - l[i].length());
        line.append(i < 2 || i == 7 ? l[i] + pad : pad + l[i]).append("  ");
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    out.append(
        "noise = the larger trial-to-trial spread (max - min) of the two runs; differences within"
            + " it are not significant\n");
    return out.toString();
  }

  private static String verdict(Row r) {
    if (r.diff() == null) {
      return r.a() == null ? "only in B" : "only in A";
    }
    if (!r.beyondNoise() || r.diff() == 0) {
      return "within noise";
    }
    boolean better = r.metric().lowerIsBetter() ? r.diff() < 0 : r.diff() > 0;
    return better ? "better" : "WORSE";
  }

  private static String describe(Summary s) {
    int trials = s.targets().stream().mapToInt(t -> t.trials().count()).max().orElse(0);
    return s.scenario()
        + " started "
        + (s.startedAt() == null ? "-" : s.startedAt())
        + ", "
        + trials
        + " trial(s), verdict "
        + s.verdict()
        + (s.machine() != null && s.machine().hasNonNull("hostname")
            ? ", on " + s.machine().get("hostname").asText()
            : "");
  }

  static String format(Metric m, Double v) {
    if (v == null) {
      return "-";
    }
    return switch (m.unit()) {
      case "µs" -> Units.micros(v);
      case "fraction" -> Units.percent(v);
      case "x" -> String.format(Locale.ROOT, "%.3fx", v);
      default -> Units.rate(v);
    };
  }

  private static String signed(Metric m, double v) {
    String s = format(m, Math.abs(v));
    return (v < 0 ? "-" : "+") + s;
  }
}
