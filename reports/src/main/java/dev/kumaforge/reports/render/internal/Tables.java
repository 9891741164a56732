package dev.kumaforge.reports.render.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.reports.internal.PublishedFigures;
import dev.kumaforge.reports.internal.Units;
import dev.kumaforge.reports.model.AddedLatency;
import dev.kumaforge.reports.model.Event;
import dev.kumaforge.reports.model.JmhBenchmark;
import dev.kumaforge.reports.model.LatencyPercentiles;
import dev.kumaforge.reports.model.PublishedFigure;
import dev.kumaforge.reports.model.Ratio;
import dev.kumaforge.reports.model.SloResult;
import dev.kumaforge.reports.model.Spread;
import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.model.TargetSummary;
import dev.kumaforge.reports.model.TrialFigures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The report tables as rows of strings, shared by the markdown and HTML renderers. */
public final class Tables {
  private Tables() {}

  /** Header of {@link #overview}. */
  public static final List<String> OVERVIEW_HEADER =
      List.of(
          "target",
          "type",
          "req/s",
          "p50 ms",
          "p90 ms",
          "p99 ms",
          "p99.9 ms",
          "max ms",
          "errors",
          "added p50 ms",
          "added p90 ms",
          "added p99 ms",
          "added p99.9 ms",
          "CPU us/req",
          "valid");

  /** One row per target. */
  public static List<List<String>> overview(Summary s) {
    List<List<String>> rows = new ArrayList<>();
    for (TargetSummary t : s.targets()) {
      AddedLatency a = t.addedLatencyUs();
      boolean base = t.name().equals(s.baseline());
      String none = base ? "baseline" : "-";
      rows.add(
          List.of(
              t.name(),
              t.type(),
              Units.rate(t.throughputRps()),
              Units.ms(t.latencyUs().p50()),
              Units.ms(t.latencyUs().p90()),
              Units.ms(t.latencyUs().p99()),
              Units.ms(t.latencyUs().p999()),
              Units.ms(t.latencyUs().max()),
              errors(t.errors(), t.errorRate()),
              a == null ? none : Units.signedMs(a.p50()),
              a == null ? none : Units.signedMs(a.p90()),
              a == null ? none : Units.signedMs(a.p99()),
              a == null ? none : Units.signedMs(a.p999()),
              Units.cpu(t.cpuUsPerRequest()),
              t.valid() ? "yes" : "INVALID"));
    }
    return rows;
  }

  /** Header of {@link #ratios}. */
  public static final List<String> RATIOS_HEADER =
      List.of("ratio", "metric", "value", "trial min", "trial max", "trials");

  /** What the ratios mean, for the reports. */
  public static final String RATIOS_NOTE =
      "Each reference gateway against each peer, measured in this run on this machine: the"
          + " headline. Added latency is per target minus the baseline in the same trial; the"
          + " spread is the smallest and largest per-trial ratio (trial k of one target against"
          + " trial k of the other, run next to each other). Below 1 means the reference gateway"
          + " costs less.";

  /** One row per ratio. */
  public static List<List<String>> ratios(Summary s) {
    List<List<String>> rows = new ArrayList<>();
    for (Ratio r : s.ratios()) {
      rows.add(ratioRow(r));
    }
    return rows;
  }

  /** One ratio's row: a spread needs two trials and is not shown next to an undefined ratio. */
  static List<String> ratioRow(Ratio r) {
    boolean spread = r.value() != null && r.trials() != null && r.trialCount() >= 2;
    return List.of(
        r.numerator() + "/" + r.denominator(),
        r.metric().replace('_', ' '),
        r.value() == null ? "-" : Units.trim(r.value()) + "x",
        spread ? Units.trim(r.trials().min()) + "x" : "-",
        spread ? Units.trim(r.trials().max()) + "x" : "-",
        Integer.toString(r.trialCount()));
  }

  /** Header of {@link #trials}. */
  public static final List<String> TRIALS_HEADER =
      List.of(
          "trial",
          "requests",
          "req/s",
          "p50 ms",
          "p99 ms",
          "p99.9 ms",
          "max ms",
          "errors",
          "lag p99 ms",
          "valid");

  /** Header of {@link #trials} for {@code t}: a JIT column when any of its trials has figures. */
  public static List<String> trialsHeader(TargetSummary t) {
    if (!hasJit(t)) {
      return TRIALS_HEADER;
    }
    List<String> h = new ArrayList<>(TRIALS_HEADER);
    h.add("JIT while measured");
    return h;
  }

  private static boolean hasJit(TargetSummary t) {
    return t.trials().perTrial().stream().anyMatch(tr -> tr.jit() != null);
  }

  /** One row per trial of {@code t}, then a spread row (min - max across trials). */
  public static List<List<String>> trials(TargetSummary t) {
    List<List<String>> rows = new ArrayList<>();
    boolean jit = hasJit(t);
    for (TrialFigures tr : t.trials().perTrial()) {
      List<String> row =
          new ArrayList<>(
              List.of(
                  Integer.toString(tr.trial()),
                  Long.toString(tr.requests()),
                  Units.rate(tr.throughputRps()),
                  Units.ms(tr.latencyUs().p50()),
                  Units.ms(tr.latencyUs().p99()),
                  Units.ms(tr.latencyUs().p999()),
                  Units.ms(tr.latencyUs().max()),
                  errors(tr.errors(), tr.errorRate()),
                  Units.ms(tr.lagUs().p99()),
                  tr.valid() ? "yes" : "INVALID: " + tr.invalidReason()));
      if (jit) {
        row.add(tr.jit() == null ? "-" : tr.jit().describe());
      }
      rows.add(row);
    }
    Spread sp = t.trials().spread();
    if (t.trials().count() > 1) {
      rows.add(
          new ArrayList<>(
              List.of(
                  "spread (min - max)",
                  "",
                  Units.rate(sp.throughputRps().min())
                      + " - "
                      + Units.rate(sp.throughputRps().max()),
                  Units.ms(sp.p50Us().min()) + " - " + Units.ms(sp.p50Us().max()),
                  Units.ms(sp.p99Us().min()) + " - " + Units.ms(sp.p99Us().max()),
                  Units.ms(sp.p999Us().min()) + " - " + Units.ms(sp.p999Us().max()),
                  "",
                  "",
                  "",
                  "")));
      if (jit) {
        rows.get(rows.size() - 1).add("");
      }
    }
    return rows;
  }

  /** Header of {@link #llm}. */
  public static final List<String> LLM_HEADER =
      List.of("target", "metric", "samples", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms");

  /** TTFT, ITL and TPOT rows of every target whose logs hold them; empty when none does. */
  public static List<List<String>> llm(Summary s) {
    List<List<String>> rows = new ArrayList<>();
    for (TargetSummary t : s.targets()) {
      addLlm(rows, t.name(), "TTFT", t.ttftUs());
      addLlm(rows, t.name(), "ITL", t.itlUs());
      addLlm(rows, t.name(), "TPOT", t.tpotUs());
    }
    return rows;
  }

  private static void addLlm(
      List<List<String>> rows, String target, String metric, LatencyPercentiles p) {
    if (p == null || p.count() == 0) {
      return;
    }
    rows.add(
        List.of(
            target,
            metric,
            Long.toString(p.count()),
            Units.ms(p.p50()),
            Units.ms(p.p90()),
            Units.ms(p.p99()),
            Units.ms(p.p999()),
            Units.ms(p.max())));
  }

  /** Header of {@link #published}. */
  public static final List<String> PUBLISHED_HEADER =
      List.of("product", "figure", "conditions", "source", "status");

  /** One row per published figure shown for this run (gateways it did not measure). */
  public static List<List<String>> published(Summary s) {
    List<List<String>> rows = new ArrayList<>();
    for (PublishedFigure f : s.publishedFigures()) {
      rows.add(
          List.of(
              f.product(),
              f.statement(),
              f.conditions(),
              f.source() + (f.sourceVerified() ? "" : " (source not verified)"),
              PublishedFigure.MARK));
    }
    return rows;
  }

  /** Which version of the published-figures resource the rows come from. */
  public static String publishedVersion() {
    return "published-figures.yaml version " + PublishedFigures.version();
  }

  /**
   * The published Envoy/nginx CPU ratio next to this run's measured reference/nginx CPU ratios, or
   * null when the published Envoy and nginx CPU figures are not shown.
   */
  public static String publishedCpuRatio(Summary s) {
    PublishedFigure envoy = figure(s, "envoy", "cpu_us_per_request");
    PublishedFigure nginx = figure(s, "nginx", "cpu_us_per_request");
    if (envoy == null || nginx == null || nginx.value() == null || envoy.value() == null) {
      return null;
    }
    StringBuilder b = new StringBuilder();
    b.append("Published, not measured here: Envoy/nginx CPU per request about ")
        .append(Units.trim(Math.round(envoy.value() / nginx.value() * 100) / 100.0))
        .append("x (")
        .append(Units.trim(envoy.value()))
        .append(" µs / ")
        .append(Units.trim(nginx.value()))
        .append(" µs");
    b.append(envoy.sourceVerified() ? ")" : ", source not verified)");
    List<String> measured = new ArrayList<>();
    for (Ratio r : s.ratios()) {
      if (r.metric().equals("cpu_per_request") && r.value() != null) {
        TargetSummary den = s.target(r.denominator()).orElse(null);
        if (den != null && den.type().equals("nginx")) {
          measured.add(
              r.numerator()
                  + "/"
                  + r.denominator()
                  + " "
                  + Units.trim(r.value())
                  + "x"
                  + (r.trials() == null
                      ? ""
                      : " (trials "
                          + Units.trim(r.trials().min())
                          + "x - "
                          + Units.trim(r.trials().max())
                          + "x)"));
        }
      }
    }
    b.append(". Measured in this run: ")
        .append(measured.isEmpty() ? "no reference/nginx CPU ratio" : String.join(", ", measured))
        .append('.');
    return b.toString();
  }

  private static PublishedFigure figure(Summary s, String product, String metric) {
    return s.publishedFigures().stream()
        .filter(f -> f.product().equals(product) && f.metric().equals(metric))
        .findFirst()
        .orElse(null);
  }

  /** Header of {@link #cost}. */
  public static final List<String> COST_HEADER =
      List.of(
          "target", "requests", "prompt tokens", "completion tokens", "cost USD", "USD / 1k req");

  /** One row per target whose trials carry a cost or token usage; empty when none does. */
  public static List<List<String>> cost(Summary s) {
    List<List<String>> rows = new ArrayList<>();
    for (TargetSummary t : s.targets()) {
      if (t.costUsd() == null && t.usage() == null) {
        continue;
      }
      rows.add(
          List.of(
              t.name(),
              Long.toString(t.requests()),
              t.usage() == null ? "-" : Long.toString(t.usage().promptTokens()),
              t.usage() == null ? "-" : Long.toString(t.usage().completionTokens()),
              t.costUsd() == null ? "-" : usd(t.costUsd()),
              t.costPer1kRequestsUsd() == null ? "-" : usd(t.costPer1kRequestsUsd())));
    }
    return rows;
  }

  /** Header of {@link #events}. */
  public static final List<String> EVENTS_HEADER = List.of("t s", "event", "name");

  /** One row per event of the run. */
  public static List<List<String>> events(Summary s) {
    List<List<String>> rows = new ArrayList<>();
    for (Event e : s.events()) {
      rows.add(List.of(Units.trim(e.tMs() / 1000.0), e.type().replace('_', ' '), e.name()));
    }
    return rows;
  }

  /** Header of {@link #jmh}. */
  public static final List<String> JMH_HEADER =
      List.of("benchmark", "mode", "threads", "forks", "score", "error (99.9%)", "unit");

  /** One row per JMH benchmark included in the report. */
  public static List<List<String>> jmh(Summary s) {
    List<List<String>> rows = new ArrayList<>();
    for (JmhBenchmark b : s.jmh()) {
      rows.add(
          List.of(
              b.benchmark(),
              b.mode(),
              Integer.toString(b.threads()),
              Integer.toString(b.forks()),
              sig(b.score()),
              Double.isNaN(b.scoreError()) ? "-" : "± " + sig(b.scoreError()),
              b.unit()));
    }
    return rows;
  }

  /** A USD amount with 6 significant decimals trimmed: {@code 0.0125}. */
  public static String usd(double v) {
    String t = String.format(java.util.Locale.ROOT, "%.6f", v).replaceAll("0+$", "");
    return "$" + (t.endsWith(".") ? t.substring(0, t.length() - 1) : t);
  }

  /** A score with 3 decimals below 1000 and none above: {@code 12.346}, {@code 1234567}. */
  static String sig(double v) {
    return Math.abs(v) >= 1000
        ? String.format(java.util.Locale.ROOT, "%.0f", v)
        : String.format(java.util.Locale.ROOT, "%.3f", v);
  }

  /** Header of {@link #slos}. */
  public static final List<String> SLO_HEADER =
      List.of("target", "SLO", "threshold", "actual", "result");

  /** One row per SLO check. */
  public static List<List<String>> slos(Summary s) {
    List<List<String>> rows = new ArrayList<>();
    for (SloResult r : s.slos()) {
      rows.add(
          List.of(
              r.target(),
              r.name(),
              format(r, r.threshold()),
              format(r, r.actual()),
              r.passed() ? "PASS" : "FAIL"));
    }
    return rows;
  }

  /** Header of {@link #machine}. */
  public static final List<String> MACHINE_HEADER = List.of("property", "value");

  /** The machine the run was measured on, then the run's provenance. */
  public static List<List<String>> machine(Summary s) {
    List<List<String>> rows = new ArrayList<>();
    JsonNode m = s.machine();
    if (m != null) {
      for (Map.Entry<String, JsonNode> e : m.properties()) {
        String v = e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString();
        if (e.getKey().equals("memory_bytes") && e.getValue().canConvertToLong()) {
          v =
              String.format(
                  java.util.Locale.ROOT, "%.1f GiB", e.getValue().asLong() / 1073741824.0);
        }
        rows.add(List.of(e.getKey(), v));
      }
    }
    rows.add(List.of("forge_version", nullToDash(s.forgeVersion())));
    rows.add(List.of("git_commit", nullToDash(s.gitCommit())));
    rows.add(List.of("started_at", nullToDash(s.startedAt())));
    return rows;
  }

  /** The workload in one line, e.g. {@code open-loop, 300 req/s, warm-up 5 s, 15 s measured}. */
  public static String workload(Summary s) {
    JsonNode w = s.workload();
    if (w == null || w.isEmpty()) {
      return "-";
    }
    List<String> parts = new ArrayList<>();
    if (w.hasNonNull("engine")) {
      parts.add(w.get("engine").asText());
    }
    if (w.hasNonNull("rate_rps")) {
      parts.add(Units.trim(w.get("rate_rps").asDouble()) + " req/s offered");
    }
    if (w.hasNonNull("arrivals")) {
      parts.add(w.get("arrivals").asText() + " arrivals");
    }
    if (w.hasNonNull("warmup_s")) {
      parts.add("warm-up " + Units.trim(w.get("warmup_s").asDouble()) + " s (excluded)");
    }
    if (w.hasNonNull("duration_s")) {
      parts.add(Units.trim(w.get("duration_s").asDouble()) + " s measured per trial");
    }
    return parts.isEmpty() ? w.toString() : String.join(", ", parts);
  }

  private static String format(SloResult r, double v) {
    return r.metric().contains("_us.") ? Units.micros(v) : Units.percent(v);
  }

  private static String errors(long errors, double rate) {
    return errors == 0 ? "0" : errors + " (" + Units.percent(rate) + ")";
  }

  private static String nullToDash(String s) {
    return s == null ? "-" : s;
  }
}
