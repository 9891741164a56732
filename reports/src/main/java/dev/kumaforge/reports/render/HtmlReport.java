package dev.kumaforge.reports.render;

import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.model.TargetSummary;
import dev.kumaforge.reports.model.TrialFigures;
import dev.kumaforge.reports.render.internal.Charts;
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

  private static final String CSS =
      """
      :root{--fg:#1d232a;--muted:#5b6773;--line:#e3e7eb;--bg:#f6f8fa;--pass:#1a7f37;\
      --fail:#cf222e;--invalid:#9a6700}
      *{box-sizing:border-box}
      body{margin:0;font:14px/1.5 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,\
      sans-serif;color:var(--fg);background:var(--bg)}
      main{max-width:1240px;margin:0 auto;padding:24px 28px 48px}
      header{display:flex;align-items:center;gap:16px;flex-wrap:wrap}
      h1{font-size:22px;margin:0}
      h2{font-size:17px;margin:32px 0 10px;padding-bottom:6px;border-bottom:1px solid var(--line)}
      h3{font-size:15px;margin:20px 0 8px}
      .badge{display:inline-block;padding:3px 12px;border-radius:999px;color:#fff;font-weight:700;\
      letter-spacing:.04em}
      .pass{background:var(--pass)}.fail{background:var(--fail)}.invalid{background:var(--invalid)}
      .meta{color:var(--muted);margin:6px 0 0}
      .card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px;\
      margin:12px 0}
      .warn{border-left:5px solid var(--invalid);background:#fff8c5}
      table{border-collapse:collapse;width:100%;background:#fff;font-variant-numeric:tabular-nums}
      th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:right;\
      white-space:nowrap}
      th{background:#f0f3f6;font-weight:600;color:#33404d;white-space:normal;vertical-align:bottom}
      th:nth-child(-n+2),td:nth-child(-n+2){text-align:left}
      td.bad{color:var(--fail);font-weight:700}td.good{color:var(--pass);font-weight:600}
      tr.spread td{color:var(--muted);font-style:italic}
      .scroll{overflow-x:auto}
      svg{width:100%;height:auto;display:block}
      dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
      dt{font-weight:600}dd{margin:0;color:#33404d}
      .note{color:var(--muted);font-size:13px}
      """;

  /** The HTML report for {@code summary}. */
  public static String render(Summary s) {
    StringBuilder b = new StringBuilder(256 * 1024);
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>Forge report: ")
        .append(Text.xml(s.scenario()))
        .append("</title>\n<style>\n")
        .append(CSS)
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

    b.append("<h2>Latency percentile spectrum</h2>\n<div class=\"card\">")
        .append(Charts.spectrum(s.targets(), 1100, 480))
        .append("</div>\n");
    b.append("<h2>Over time</h2>\n<div class=\"card\">")
        .append(Charts.timeSeries(s.targets(), 1100, 640))
        .append("</div>\n<p class=\"note\">Per-second values; with several trials, rate and errors")
        .append(" are the mean per trial and percentiles come from that second's histograms")
        .append(" merged over trials.</p>\n");

    List<List<String>> llm = Tables.llm(s);
    if (!llm.isEmpty()) {
      b.append("<h2>LLM timings</h2>\n<p class=\"note\">TTFT, ITL and TPOT as defined below,")
          .append(" all trials merged.</p>\n");
      table(b, Tables.LLM_HEADER, llm, false);
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
      table(b, Tables.TRIALS_HEADER, Tables.trials(t), false);
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

  private static void table(
      StringBuilder b, List<String> header, List<List<String>> rows, boolean verdictColumn) {
    b.append("<div class=\"scroll\"><table>\n<thead><tr>");
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
