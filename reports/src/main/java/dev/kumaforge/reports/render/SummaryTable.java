package dev.kumaforge.reports.render;

import dev.kumaforge.reports.internal.Units;
import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.model.TargetSummary;
import java.util.ArrayList;
import java.util.List;

/**
 * The short plain-text table the CLI prints after a run.
 *
 * <pre>{@code
 * target     type       req/s  p50 ms  p99 ms  p99.9 ms  errors  +p50 ms  +p99 ms
 * direct     direct     300.0   1.234   2.345     3.456       0        -        -
 * }</pre>
 */
public final class SummaryTable {
  private SummaryTable() {}

  private static final String[] HEADER = {
    "target",
    "type",
    "req/s",
    "p50 ms",
    "p99 ms",
    "p99.9 ms",
    "errors",
    "+p50 ms",
    "+p99 ms",
    "CPU us/req"
  };

  /** The table, one row per target, then a verdict line; lines end with a newline. */
  public static String render(Summary summary) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (TargetSummary t : summary.targets()) {
      rows.add(
          new String[] {
            t.valid() ? t.name() : t.name() + " (INVALID)",
            t.type(),
            Units.rate(t.throughputRps()),
            Units.ms(t.latencyUs().p50()),
            Units.ms(t.latencyUs().p99()),
            Units.ms(t.latencyUs().p999()),
            t.errors() + (t.errors() > 0 ? " (" + Units.percent(t.errorRate()) + ")" : ""),
            t.addedLatencyUs() == null ? "-" : Units.signedMs(t.addedLatencyUs().p50()),
            t.addedLatencyUs() == null ? "-" : Units.signedMs(t.addedLatencyUs().p99()),
            Units.cpu(t.cpuUsPerRequest())
          });
    }
    int[] widths = new int[HEADER.length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        widths[i] = Math.max(widths[i], r[i].length());
      }
    }
    StringBuilder b = new StringBuilder();
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        if (i > 0) {
          line.append("  ");
        }
        String pad = " ".repeat(widths[i] - r[i].length());
        line.append(i < 2 ? r[i] + pad : pad + r[i]);
      }
      b.append(line.toString().stripTrailing()).append('\n');
    }
    if (summary.baseline() != null) {
      b.append("added latency (+) is vs baseline \"").append(summary.baseline()).append("\"; ");
    }
    b.append("CPU us/req is the target process's CPU time per request while measured\n");
    for (var r : summary.ratios()) {
      if (r.value() == null) {
        continue;
      }
      b.append(
          String.format(
              java.util.Locale.ROOT,
              "%s/%s %s: %sx%s%n",
              r.numerator(),
              r.denominator(),
              r.metric().replace('_', ' '),
              Units.trim(r.value()),
              r.trials() == null || r.trialCount() < 2
                  ? ""
                  : " (trials "
                      + Units.trim(r.trials().min())
                      + "-"
                      + Units.trim(r.trials().max())
                      + "x)"));
    }
    b.append("verdict: ")
        .append(summary.verdict().toUpperCase(java.util.Locale.ROOT))
        .append(" (")
        .append(summary.verdictReason())
        .append(")\n");
    return b.toString();
  }
}
