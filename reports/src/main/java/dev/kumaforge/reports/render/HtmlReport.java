package dev.kumaforge.reports.render;

import dev.kumaforge.reports.model.LatencyPercentiles;
import dev.kumaforge.reports.model.PublishedFigure;
import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.model.TargetSummary;
import dev.kumaforge.reports.model.TrialFigures;
import dev.kumaforge.reports.render.internal.Charts;
import dev.kumaforge.reports.render.internal.Comparisons;
import dev.kumaforge.reports.render.internal.Style;
import dev.kumaforge.reports.render.internal.Tables;
import dev.kumaforge.reports.render.internal.Text;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders {@code report.html}: one self-contained file (inline CSS and SVG charts, no script, no
 * external resource) that opens offline.
 */
public final class HtmlReport {
  private HtmlReport() {}

  /** The HTML report for {@code summary}. */
  public static String render(Summary s) {
    StringBuilder b = new StringBuilder(256 * 1024);
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>Forge report: ")
        .append(Text.xml(s.scenario()))
        .append("</title>\n<style>\n")
        .append(Style.CSS)
        .append("</style>\n</head>\n<body>\n<main>\n");

    b.append("<header><h1>Forge report: ")
        .append(Text.xml(s.scenario()))
        .append("</h1><span class=\"badge ")
        .append(Text.xml(s.verdict()))
        .append("\">")
        .append(Text.xml(s.verdict().toUpperCase(Locale.ROOT)))
        .append("</span></header>\n");
    b.append("<p class=\"meta\">")
        .append(Text.xml(s.verdictReason()))
        .append("</p>\n<p class=\"meta\">Started ")
        .append(Text.xml(s.startedAt() == null ? "-" : s.startedAt()))
        .append(" &middot; ")
        .append(Text.xml(Tables.workload(s)))
        .append(" &middot; baseline for added latency: <b>")
        .append(Text.xml(s.baseline() == null ? "none" : s.baseline()))
        .append("</b>");
    if (s.sources() != null && s.sources().size() > 1) {
      b.append(" &middot; merged from ")
          .append(s.sources().size())
          .append(" run folders (histograms added)");
    }
    b.append("</p>\n");

    List<TargetSummary> invalid = s.targets().stream().filter(t -> !t.valid()).toList();
    if (!invalid.isEmpty()) {
      b.append("<div class=\"card warn\"><b>Invalid data: these numbers are not trusted.</b><ul>");
      for (TargetSummary t : invalid) {
        List<TrialFigures> bad = t.trials().perTrial().stream().filter(tr -> !tr.valid()).toList();
        if (bad.isEmpty()) {
          b.append("<li><b>")
              .append(Text.xml(t.name()))
              .append("</b>: ")
              .append(Text.xml(t.invalidReason()))
              .append("</li>");
        }
        for (TrialFigures tr : bad) {
          b.append("<li><b>")
              .append(Text.xml(t.name()))
              .append("</b> trial ")
              .append(tr.trial())
              .append(": ")
              .append(Text.xml(tr.invalidReason()))
              .append("</li>");
        }
      }
      b.append("</ul></div>\n");
    }

    b.append("<h2>Results</h2>\n<p class=\"note\">Latency in milliseconds over successful")
        .append(" requests, all trials merged exactly (histograms added). Added latency = the")
        .append(
            " target's percentile minus the baseline's same percentile, same rate, same run.</p>\n");
    table(b, Tables.OVERVIEW_HEADER, Tables.overview(s), false);
    if (!s.ratios().isEmpty()) {
      b.append("<h2>Ratios measured in this run</h2>\n<p class=\"note\">")
          .append(Text.xml(Tables.RATIOS_NOTE))
          .append("</p>\n");
      table(b, Tables.RATIOS_HEADER, Tables.ratios(s), false);
    }

    comparison(b, s);
    // The sources are shown without their scheme so that the file holds no http(s) URI at all
    // (a grep for external references stays clean); report.md keeps the full URLs.
    List<List<String>> published =
        Tables.published(s).stream()
            .map(
                r -> r.stream().map(c -> c.replace("https://", "").replace("http://", "")).toList())
            .toList();
    if (!published.isEmpty()) {
      b.append("<h2>Gateways not run here: published figures</h2>\n<p class=\"note\">")
          .append("Figures published by others under their own conditions, <b>")
          .append(Text.xml(PublishedFigure.MARK))
          .append("</b>: context, not a comparison measured on this machine (")
          .append(Text.xml(Tables.publishedVersion()))
          .append(").</p>\n");
      table(b, Tables.PUBLISHED_HEADER, published, false, "wrap published");
      String ratio = Tables.publishedCpuRatio(s);
      if (ratio != null) {
        b.append("<p class=\"note\">").append(Text.xml(ratio)).append("</p>\n");
      }
    }

    b.append("<h2>Latency percentile spectrum</h2>\n<div class=\"card\">")
        .append(Charts.spectrum(s.targets(), 1100, 480))
        .append("</div>\n");
    b.append("<h2>Over time</h2>\n<div class=\"card\">")
        .append(Charts.timeSeries(s.targets(), s.events(), 1100, 640))
        .append("</div>\n<p class=\"note\">Per-second values; with several trials, rate and errors")
        .append(" are the mean per trial and percentiles come from that second's histograms")
        .append(" merged over trials.");
    if (!s.events().isEmpty()) {
      b.append(" Shaded red: fault windows; dashed vertical lines: phase boundaries (from")
          .append(" events.jsonl).");
    }
    b.append("</p>\n");

    List<List<String>> llm = Tables.llm(s);
    if (!llm.isEmpty()) {
      b.append("<h2>LLM timings</h2>\n<p class=\"note\">TTFT, ITL and TPOT as defined below,")
          .append(" all trials merged.</p>\n");
      table(b, Tables.LLM_HEADER, llm, false);
      b.append("<div class=\"grid\">");
      for (String[] m :
          new String[][] {
            {"ttft", "TTFT: time to first token"},
            {"itl", "ITL: inter-token latency"},
            {"tpot", "TPOT: time per output token"}
          }) {
        boolean any =
            s.targets().stream()
                .anyMatch(
                    t -> {
                      LatencyPercentiles p =
                          switch (m[0]) {
                            case "ttft" -> t.ttftUs();
                            case "itl" -> t.itlUs();
                            default -> t.tpotUs();
                          };
                      return p != null && p.count() > 0;
                    });
        if (any) {
          b.append("<div class=\"card\">")
              .append(Charts.llm(s.targets(), m[0], m[1] + " by percentile", 560, 320))
              .append("</div>");
        }
      }
      b.append("</div>\n");
    }
    List<List<String>> cost = Tables.cost(s);
    if (!cost.isEmpty()) {
      b.append("<h2>Cost per 1,000 requests</h2>\n<p class=\"note\">From the trials'")
          .append(" result.json usage and cost_usd: total cost over those trials divided by their")
          .append(" requests, times 1,000.</p>\n");
      table(b, Tables.COST_HEADER, cost, false);
      List<Charts.Bar> bars = Comparisons.costPer1k(s);
      if (!bars.isEmpty()) {
        b.append("<div class=\"card\">")
            .append(
                Charts.bars(
                    "cost", "Cost per 1,000 requests (USD)", "USD / 1k requests", bars, 1100, 300))
            .append("</div>\n");
      }
    }
    if (!s.jmh().isEmpty()) {
      b.append("<h2>Microbenchmarks (JMH)</h2>\n<p class=\"note\">From jmh.json (JMH -rf")
          .append(" json); error is JMH's 99.9% confidence half-width.</p>\n");
      table(b, Tables.JMH_HEADER, Tables.jmh(s), false);
    }

    b.append("<h2>SLOs</h2>\n");
    if (s.slos().isEmpty()) {
      b.append("<p>The scenario defines no SLO.</p>\n");
    } else {
      table(b, Tables.SLO_HEADER, Tables.slos(s), true);
    }

    b.append("<h2>Trials</h2>\n");
    for (TargetSummary t : s.targets()) {
      b.append("<h3>")
          .append(Text.xml(t.name()))
          .append(" <span class=\"note\">(")
          .append(Text.xml(t.type()))
          .append(", ")
          .append(t.trials().count())
          .append(" trial(s))</span></h3>\n");
      table(b, Tables.trialsHeader(t), Tables.trials(t), false);
      if (!t.errorsByKind().isEmpty()) {
        b.append("<p class=\"note\">Errors by kind: ");
        b.append(
            Text.xml(
                String.join(
                    ", ",
                    t.errorsByKind().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .toList())));
        b.append("</p>\n");
      }
    }

    b.append("<h2>Machine</h2>\n<p class=\"note\">Absolute numbers hold for this machine only;")
        .append(" ratios measured in one run are the headline.</p>\n");
    table(b, Tables.MACHINE_HEADER, Tables.machine(s), false);

    b.append("<h2>Metric definitions</h2>\n<div class=\"card\"><dl>\n");
    for (Map.Entry<String, String> e : s.metricDefinitions().entrySet()) {
      b.append("<dt>")
          .append(Text.xml(e.getKey()))
          .append("</dt><dd>")
          .append(Text.xml(e.getValue()))
          .append("</dd>\n");
    }
    b.append("</dl></div>\n</main>\n</body>\n</html>\n");
    return b.toString();
  }

  private static void comparison(StringBuilder b, Summary s) {
    if (s.targets().size() < 2) {
      return;
    }
    b.append("<h2>Comparison</h2>\n");
    if (Summary.INVALID.equals(s.verdict())) {
      b.append("<p class=\"note bad-note\">Invalid run: these bars are not trusted (see the")
          .append(" warning above).</p>\n");
    }
    b.append("<p class=\"note\">One bar per target (all trials merged); with several trials,")
        .append(" the black whisker spans the smallest to the largest single-trial value. Added")
        .append(" latency is against ")
        .append(Text.xml(s.baseline() == null ? "no baseline" : s.baseline()))
        .append(", trial by trial.</p>\n<div class=\"grid\">");
    bars(b, "cmp-throughput", "Throughput", "req/s", Comparisons.throughput(s));
    bars(b, "cmp-cpu", "CPU per request", "µs CPU / request", Comparisons.cpu(s));
    bars(b, "cmp-added-p50", "Added latency p50", "ms", Comparisons.added(s, "p50"));
    bars(b, "cmp-added-p99", "Added latency p99", "ms", Comparisons.added(s, "p99"));
    b.append("</div>\n");
  }

  private static void bars(
      StringBuilder b, String id, String title, String unit, List<Charts.Bar> bars) {
    if (bars.isEmpty()) {
      return;
    }
    b.append("<div class=\"card\">")
        .append(Charts.bars(id, title, unit, bars, 560, 300))
        .append("</div>");
  }

  private static void table(
      StringBuilder b, List<String> header, List<List<String>> rows, boolean verdictColumn) {
    table(b, header, rows, verdictColumn, null);
  }

  private static void table(
      StringBuilder b,
      List<String> header,
      List<List<String>> rows,
      boolean verdictColumn,
      String cssClass) {
    b.append("<div class=\"scroll\"><table")
        .append(cssClass == null ? "" : " class=\"" + cssClass + "\"")
        .append(">\n<thead><tr>");
    header.forEach(h -> b.append("<th>").append(Text.xml(h)).append("</th>"));
    b.append("</tr></thead>\n<tbody>\n");
    for (List<String> r : rows) {
      boolean spread = r.get(0).startsWith("spread");
      b.append(spread ? "<tr class=\"spread\">" : "<tr>");
      for (int i = 0; i < r.size(); i++) {
        String v = r.get(i);
        String cls = "";
        if ((verdictColumn && i == r.size() - 1)
            || v.startsWith("INVALID")
            || v.startsWith("NO:")) {
          cls = v.equals("PASS") ? " class=\"good\"" : " class=\"bad\"";
        }
        b.append("<td").append(cls).append('>').append(Text.xml(v)).append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</tbody></table></div>\n");
  }
}
