package dev.kumaforge.reports.capacity;

import dev.kumaforge.reports.capacity.CapacityRun.Step;
import dev.kumaforge.reports.capacity.CapacityRun.Target;
import dev.kumaforge.reports.internal.Units;
import dev.kumaforge.reports.render.internal.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Renders {@code capacity.md} and holds the tables shared with {@code capacity.html}. */
final class CapacityMarkdown {
  private CapacityMarkdown() {}

  static final List<String> SUMMARY_HEADER =
      List.of(
          "target",
          "type",
          "max sustained req/s",
          "knee req/s",
          "first failed req/s",
          "needed req/s",
          "replicas needed");

  static final List<String> STEPS_HEADER =
      List.of(
          "offered req/s",
          "attempted",
          "completed",
          "errors",
          "p50 ms",
          "p90 ms",
          "p99 ms",
          "p99.9 ms",
          "max ms",
          "TTFT p99 ms",
          "generator",
          "result");

  static List<List<String>> summary(CapacityRun run) {
    List<List<String>> rows = new ArrayList<>();
    for (Target t : run.targets()) {
      rows.add(
          List.of(
              t.name(),
              t.type() == null ? "-" : t.type(),
              Units.trim(t.maxSustainedRps()),
              t.kneeRps() > 0 ? Units.trim(t.kneeRps()) : "-",
              t.firstFailedRps() == null ? "none failed" : Units.trim(t.firstFailedRps()),
              t.neededRps() == null ? "-" : Units.trim(t.neededRps()),
              t.replicasNeeded() == null ? "-" : Integer.toString(t.replicasNeeded())));
    }
    return rows;
  }

  static List<List<String>> steps(Target t) {
    List<List<String>> rows = new ArrayList<>();
    for (Step s : CapacityReport.byRate(t)) {
      Map<String, Long> l = s.latencyUs() == null ? Map.of() : s.latencyUs();
      rows.add(
          List.of(
              Units.trim(s.rateRps()),
              Long.toString(s.attempted()),
              Long.toString(s.completed()),
              Units.percent(s.errorRate()),
              ms(l, "p50"),
              ms(l, "p90"),
              ms(l, "p99"),
              ms(l, "p999"),
              ms(l, "max"),
              ms(l, "ttft_p99"),
              s.generatorValid() ? "kept schedule" : "FELL BEHIND",
              s.sustained()
                  ? "sustained"
                  : "missed: "
                      + String.join(
                          "; ", s.misses() == null ? List.of("(no reason given)") : s.misses())));
    }
    return rows;
  }

  static String criteria(CapacityRun run) {
    List<String> parts = new ArrayList<>();
    run.criteria().latencyMicros().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> parts.add(e.getKey() + " <= " + Units.micros(e.getValue())));
    parts.add("errors <= " + Units.percent(run.criteria().maxErrorRate()));
    parts.add("achieved >= 99% of offered and the generator kept its schedule");
    return String.join(", ", parts);
  }

  static String machine(CapacityRun run) {
    if (run.machine() == null || run.machine().isEmpty()) {
      return "-";
    }
    List<String> parts = new ArrayList<>();
    for (String k : List.of("hostname", "cpu_model", "cores", "os", "java")) {
      if (run.machine().hasNonNull(k)) {
        parts.add(k + " " + run.machine().get(k).asText());
      }
    }
    return parts.isEmpty() ? run.machine().toString() : String.join(", ", parts);
  }

  static String render(CapacityRun run) {
    StringBuilder b = new StringBuilder();
    b.append("# Capacity: ").append(run.scenario()).append("\n\n");
    b.append("- Started: ").append(run.startedAt() == null ? "-" : run.startedAt()).append('\n');
    b.append("- Machine: ").append(Text.md(machine(run))).append('\n');
    b.append("- A step is sustained when: ").append(Text.md(criteria(run))).append("\n\n");
    b.append("Open-loop constant-rate steps per target (geometric growth, then binary search).")
        .append(" The knee is the highest sustained rate whose p99 is within twice the p99 of")
        .append(" the lowest rate. Absolute rates hold for this machine only.\n\n");
    b.append("## Summary\n\n");
    table(b, SUMMARY_HEADER, summary(run));
    for (Target t : run.targets()) {
      b.append("## ")
          .append(t.name())
          .append(t.type() == null ? "" : " (" + t.type() + ")")
          .append("\n\n");
      table(b, STEPS_HEADER, steps(t));
    }
    return b.toString();
  }

  private static String ms(Map<String, Long> l, String key) {
    Long v = l.get(key);
    return v == null ? "-" : Units.ms(v);
  }

  private static void table(StringBuilder b, List<String> header, List<List<String>> rows) {
    b.append("| ").append(String.join(" | ", header)).append(" |\n|");
    for (int i = 0; i < header.size(); i++) {
      b.append(i == 0 ? " --- |" : " ---: |");
    }
    b.append('\n');
    for (List<String> r : rows) {
      b.append("| ").append(String.join(" | ", r.stream().map(Text::md).toList())).append(" |\n");
    }
    b.append('\n');
  }
}
