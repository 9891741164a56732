package dev.kumaforge.reports.capacity;

import dev.kumaforge.reports.capacity.CapacityRun.Step;
import dev.kumaforge.reports.capacity.CapacityRun.Target;
import dev.kumaforge.reports.render.internal.Charts;
import dev.kumaforge.reports.render.internal.Style;
import dev.kumaforge.reports.render.internal.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Renders {@code capacity.html}: inline CSS and SVG, no script, no external resource. */
final class CapacityHtml {
  private CapacityHtml() {}

  static String render(CapacityRun run) {
    StringBuilder b = new StringBuilder(128 * 1024);
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>Capacity: ")
        .append(Text.xml(run.scenario()))
        .append("</title>\n<style>\n")
        .append(Style.CSS)
        .append("</style>\n</head>\n<body>\n<main>\n<header><h1>Capacity: ")
        .append(Text.xml(run.scenario()))
        .append("</h1></header>\n<p class=\"meta\">Started ")
        .append(Text.xml(run.startedAt() == null ? "-" : run.startedAt()))
        .append(" &middot; ")
        .append(Text.xml(CapacityMarkdown.machine(run)))
        .append("</p>\n<p class=\"meta\">A step is sustained when: ")
        .append(Text.xml(CapacityMarkdown.criteria(run)))
        .append("</p>\n<h2>Summary</h2>\n");
    table(b, CapacityMarkdown.SUMMARY_HEADER, CapacityMarkdown.summary(run));
    List<Charts.Curve> curves = new ArrayList<>();
    for (Target t : run.targets()) {
      List<double[]> points = new ArrayList<>();
      for (Step s : CapacityReport.byRate(t)) {
        Map<String, Long> l = s.latencyUs() == null ? Map.of() : s.latencyUs();
        points.add(
            new double[] {s.rateRps(), l.getOrDefault("p50", 0L), l.getOrDefault("p99", 0L)});
      }
      curves.add(new Charts.Curve(t.name(), points, t.kneeRps(), t.maxSustainedRps()));
    }
    b.append("<h2>Capacity curve</h2>\n<div class=\"card\">")
        .append(Charts.capacity(curves, run.criteria().latencyMicros(), 1100, 560))
        .append(
            "</div>\n<p class=\"note\">Each point is one open-loop constant-rate step."
                + " Solid lines p99, dashed p50; red horizontal line: the latency SLO; vertical"
                + " lines in a target's color: its knee (dotted) and its highest sustained rate"
                + " (solid).</p>\n");
    for (Target t : run.targets()) {
      b.append("<h3>")
          .append(Text.xml(t.name()))
          .append(" <span class=\"note\">(")
          .append(Text.xml(t.type()))
          .append(", ")
          .append(t.steps().size())
          .append(" steps)</span></h3>\n");
      table(b, CapacityMarkdown.STEPS_HEADER, CapacityMarkdown.steps(t));
    }
    b.append("</main>\n</body>\n</html>\n");
    return b.toString();
  }

  private static void table(StringBuilder b, List<String> header, List<List<String>> rows) {
    b.append("<div class=\"scroll\"><table>\n<thead><tr>");
    header.forEach(h -> b.append("<th>").append(Text.xml(h)).append("</th>"));
    b.append("</tr></thead>\n<tbody>\n");
    for (List<String> r : rows) {
      b.append("<tr>");
      for (String v : r) {
        String cls =
            v.startsWith("missed") || v.equals("FELL BEHIND")
                ? " class=\"bad\""
                : v.equals("sustained") ? " class=\"good\"" : "";
        b.append("<td").append(cls).append('>').append(Text.xml(v)).append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</tbody></table></div>\n");
  }
}
