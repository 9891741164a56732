package dev.kumaforge.reports.render;

import dev.kumaforge.reports.model.PublishedFigure;
import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.model.TargetSummary;
import dev.kumaforge.reports.model.TrialFigures;
import dev.kumaforge.reports.render.internal.Tables;
import dev.kumaforge.reports.render.internal.Text;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders {@code report.md}: machine, metric definitions, per-target tables, SLO verdicts. */
public final class MarkdownReport {
  private MarkdownReport() {}

  /** The markdown report for {@code summary}. */
  public static String render(Summary s) {
    StringBuilder b = new StringBuilder();
    b.append("# Forge report: ").append(s.scenario()).append("\n\n");
    b.append("**Verdict: ")
        .append(s.verdict().toUpperCase(Locale.ROOT))
        .append("**: ")
        .append(Text.md(s.verdictReason()))
        .append("\n\n");
    b.append("- Started: ").append(s.startedAt() == null ? "-" : s.startedAt()).append('\n');
    b.append("- Workload: ").append(Text.md(Tables.workload(s))).append('\n');
    b.append("- Baseline for added latency: ")
        .append(s.baseline() == null ? "none (no direct target)" : "`" + s.baseline() + "`")
        .append('\n');
    if (s.sources() != null && s.sources().size() > 1) {
      b.append("- Merged from ")
          .append(s.sources().size())
          .append(" run folders (histograms added):");
      s.sources().forEach(src -> b.append(" `").append(src).append('`'));
      b.append('\n');
    }
    b.append('\n');

    List<String> invalid =
        s.targets().stream()
            .flatMap(
                t ->
                    t.trials().perTrial().stream().filter(tr -> !tr.valid()).map(tr -> line(t, tr)))
            .toList();
    List<String> invalidTargets =
        s.targets().stream()
            .filter(t -> !t.valid())
            .map(t -> "- **" + t.name() + "**: " + Text.md(t.invalidReason()))
            .toList();
    if (!invalidTargets.isEmpty()) {
      b.append("> **WARNING: invalid data; these numbers are not trusted.**\n>\n");
      (invalid.isEmpty() ? invalidTargets : invalid)
          .forEach(l -> b.append("> ").append(l).append('\n'));
      b.append('\n');
    }

    b.append("## Results\n\n");
    b.append(
            "Latency in milliseconds, all trials merged exactly (histograms added); added latency is")
        .append(" the target's percentile minus the baseline's same percentile.\n\n");
    table(b, Tables.OVERVIEW_HEADER, Tables.overview(s));
    if (!s.ratios().isEmpty()) {
      b.append("## Ratios measured in this run\n\n");
      b.append(Tables.RATIOS_NOTE).append("\n\n");
      table(b, Tables.RATIOS_HEADER, Tables.ratios(s));
    }
    List<List<String>> published = Tables.published(s);
    if (!published.isEmpty()) {
      b.append("## Gateways not run here: published figures\n\n");
      b.append("Figures published by others under their own conditions, **")
          .append(PublishedFigure.MARK)
          .append("**: context, not a comparison measured on this machine (")
          .append(Tables.publishedVersion())
          .append(").\n\n");
      table(b, Tables.PUBLISHED_HEADER, published);
      String ratio = Tables.publishedCpuRatio(s);
      if (ratio != null) {
        b.append(ratio).append("\n\n");
      }
    }
    if (!s.events().isEmpty()) {
      b.append("## Events\n\n");
      b.append("From events.jsonl; seconds since the measurement start.\n\n");
      table(b, Tables.EVENTS_HEADER, Tables.events(s));
    }
    for (TargetSummary t : s.targets()) {
      b.append("### ").append(t.name()).append(" (").append(t.type()).append(")\n\n");
      table(b, Tables.trialsHeader(t), Tables.trials(t));
      if (!t.errorsByKind().isEmpty()) {
        b.append("Errors by kind: ");
        b.append(
            String.join(
                ", ",
                t.errorsByKind().entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue())
                    .toList()));
        b.append("\n\n");
      }
    }

    List<List<String>> llm = Tables.llm(s);
    if (!llm.isEmpty()) {
      b.append("## LLM timings\n\n");
      b.append("TTFT, ITL and TPOT as defined below, all trials merged.\n\n");
      table(b, Tables.LLM_HEADER, llm);
    }

    List<List<String>> cost = Tables.cost(s);
    if (!cost.isEmpty()) {
      b.append("## Cost per 1,000 requests\n\n");
      b.append("From the trials' result.json usage and cost_usd.\n\n");
      table(b, Tables.COST_HEADER, cost);
    }
    if (!s.jmh().isEmpty()) {
      b.append("## Microbenchmarks (JMH)\n\n");
      b.append("From jmh.json (JMH -rf json); error is JMH's 99.9% confidence half-width.\n\n");
      table(b, Tables.JMH_HEADER, Tables.jmh(s));
    }

    b.append("## SLOs\n\n");
    if (s.slos().isEmpty()) {
      b.append("The scenario defines no SLO.\n\n");
    } else {
      table(b, Tables.SLO_HEADER, Tables.slos(s));
    }

    b.append("## Machine\n\n");
    b.append("Absolute numbers hold for this machine only; ratios measured in one run are the")
        .append(" headline.\n\n");
    table(b, Tables.MACHINE_HEADER, Tables.machine(s));

    b.append("## Metric definitions\n\n");
    for (Map.Entry<String, String> e : s.metricDefinitions().entrySet()) {
      b.append("- **").append(e.getKey()).append("**: ").append(Text.md(e.getValue())).append('\n');
    }
    return b.toString();
  }

  private static String line(TargetSummary t, TrialFigures tr) {
    return "- **"
        + t.name()
        + "** trial "
        + tr.trial()
        + ": INVALID: "
        + Text.md(tr.invalidReason());
  }

  private static void table(StringBuilder b, List<String> header, List<List<String>> rows) {
    b.append("| ").append(String.join(" | ", header)).append(" |\n|");
    for (int i = 0; i < header.size(); i++) {
      b.append(i < 2 ? " --- |" : " ---: |");
    }
    b.append('\n');
    for (List<String> r : rows) {
      b.append("| ").append(String.join(" | ", r.stream().map(Text::md).toList())).append(" |\n");
    }
    b.append('\n');
  }
}
