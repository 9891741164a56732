package dev.kumaforge.harness.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kumaforge.chaos.experiment.Experiment;
import dev.kumaforge.chaos.experiment.Step;
import dev.kumaforge.chaos.experiment.runner.Verdict;
import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.load.engine.LoadResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of a chaos run: the verdict, the load, and per fault the hypothesis' onset and
 * recovery (from the runner) with the monitor's {@link FaultFigures}; written as {@code
 * chaos-result.json} and {@code chaos-result.md}.
 *
 * @param json the JSON document
 * @param markdown the same as a Markdown report
 */
public record ChaosResult(Map<String, Object> json, String markdown) {
  /** Name of the JSON result file. */
  public static final String JSON_FILE = "chaos-result.json";

  /** Name of the Markdown result file. */
  public static final String MARKDOWN_FILE = "chaos-result.md";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * Builds the result.
   *
   * @param timeline step name -> {start nanos, end nanos or -1, start ms, end ms or -1}
   */
  public static ChaosResult of(
      Experiment e,
      Verdict verdict,
      Map<String, long[]> timeline,
      List<FaultSample> samples,
      LoadResult load) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("experiment", e.name());
    root.put("description", e.description() == null ? null : e.description().strip());
    root.put("outcome", verdict.outcome().name().toLowerCase(Locale.ROOT));
    root.put("reasons", verdict.reasons());
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("target", load.target());
    l.put("intended_rate_rps", load.intendedRateRps());
    l.put("achieved_rps", load.achievedRps());
    l.put("attempted", load.attempted());
    l.put("completed", load.completed());
    l.put("errors", load.errors());
    l.put("errors_by_kind", load.errorsByKind());
    l.put("generator_lag_p99_us", load.lag().p99());
    l.put("open_loop_valid", load.valid());
    l.put("invalid_reason", load.invalidReason());
    root.put("load", l);
    Long firstStart = null;
    for (long[] t : timeline.values()) {
      firstStart = firstStart == null ? t[0] : Math.min(firstStart, t[0]);
    }
    if (firstStart != null && !samples.isEmpty() && samples.get(0).tNanos() < firstStart) {
      FaultFigures before = FaultFigures.of(samples, samples.get(0).tNanos(), firstStart);
      root.put("steady_state_amplification", before.amplification());
    }
    List<Map<String, Object>> steps = new ArrayList<>();
    StringBuilder md = new StringBuilder();
    md.append("# chaos: ").append(e.name()).append("\n\n");
    if (e.description() != null) {
      md.append(e.description().strip()).append("\n\n");
    }
    md.append("**Verdict: ").append(verdict.outcome()).append("**");
    for (String r : verdict.reasons()) {
      md.append("\n- ").append(r);
    }
    md.append(
        String.format(
            Locale.ROOT,
            "%n%nLoad: %.0f req/s intended, %d sent, %d errors %s, generator lag p99 %d us, %s%n%n",
            load.intendedRateRps(),
            load.attempted(),
            load.errors(),
            load.errorsByKind(),
            load.lag().p99(),
            load.valid() ? "open-loop schedule kept" : "INVALID: " + load.invalidReason()));
    if (root.containsKey("steady_state_amplification")) {
      md.append("Backend requests per client request before the faults: ")
          .append(root.get("steady_state_amplification"))
          .append("\n\n");
    }
    md.append(
        "| step | action | at | window | onset (evidence) | detect | hypothesis broken | errors"
            + " in window | amplification | recovery | back in balancing | last error after end"
            + " |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    Map<String, Verdict.StepMeasurement> measured = new LinkedHashMap<>();
    verdict.steps().forEach(m -> measured.put(m.step(), m));
    for (Step s : e.method()) {
      long[] t = timeline.get(s.name());
      Verdict.StepMeasurement m = measured.get(s.name());
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("step", s.name());
      j.put("action", s.action().type().toString());
      if (t == null) {
        j.put("started", false);
        steps.add(j);
        md.append("| ").append(s.name()).append(" | ").append(s.action().type());
        md.append(" | not started | | | | | | | | | |\n");
        continue;
      }
      long endNanos = t[1] < 0 ? t[0] : t[1];
      FaultFigures f = FaultFigures.of(samples, t[0], endNanos);
      j.put("start_ms", t[2]);
      j.put("end_ms", t[3] < 0 ? null : t[3]);
      j.put("window_ms", f.windowMillis());
      j.put("onset_ms", f.evidenceMillis());
      j.put("onset_evidence", f.evidence());
      j.put("detect_ms", f.detectMillis());
      j.put("hypothesis_violated_after_ms", m == null ? null : m.onsetMillis());
      j.put("violating_probe_rounds", m == null ? null : m.violatingRounds());
      j.put("client_requests", f.clientRequests());
      j.put("client_errors", f.clientErrors());
      j.put(
          "client_error_rate",
          f.clientRequests() > 0
              ? Math.round(1e6 * f.clientErrors() / f.clientRequests()) / 1e6
              : null);
      j.put("backend_requests", f.backendRequests());
      j.put("retry_amplification", f.amplification());
      boolean held = m != null && m.onsetMillis() == null;
      j.put("hypothesis_held_throughout", held);
      j.put("recovery_ms", m == null || held ? null : m.recoveryMillis());
      j.put("endpoint_back_in_balancing_ms", f.backInBalancingMillis());
      j.put("last_client_error_after_end_ms", f.lastErrorAfterEndMillis());
      steps.add(j);
      md.append("| ")
          .append(s.name())
          .append(" | ")
          .append(s.action().type())
          .append(" | ")
          .append(seconds(t[2]))
          .append(" | ")
          .append(seconds(f.windowMillis()))
          .append(" | ")
          .append(
              f.evidenceMillis() == null
                  ? "not observed"
                  : "+" + f.evidenceMillis() + " ms (" + f.evidence() + ")")
          .append(" | ")
          .append(f.detectMillis() == null ? "-" : "+" + f.detectMillis() + " ms")
          .append(" | ")
          .append(
              m == null || m.onsetMillis() == null
                  ? "no"
                  : "+" + m.onsetMillis() + " ms, " + m.violatingRounds() + " rounds")
          .append(" | ")
          .append(f.clientErrors())
          .append(" of ")
          .append(f.clientRequests())
          .append(" | ")
          .append(f.amplification() == null ? "-" : f.amplification())
          .append(" | ")
          .append(
              m != null && m.onsetMillis() == null
                  ? "held throughout"
                  : m == null || m.recoveryMillis() == null
                      ? "not recovered"
                      : m.recoveryMillis() + " ms")
          .append(" | ")
          .append(f.backInBalancingMillis() == null ? "-" : "+" + f.backInBalancingMillis() + " ms")
          .append(" | ")
          .append(f.lastErrorAfterEndMillis())
          .append(" ms |\n");
    }
    root.put("steps", steps);
    md.append(
        "\nonset: first monitor sample (every 250 ms) after the step started that shows the fault"
            + " (client errors, gateway upstream failures or retries, backend errors, ejections,"
            + " a config version change); detect: first outlier ejection or endpoint out of"
            + " balancing; amplification: backend requests / client requests in the window;"
            + " recovery: from the fault's end to the first probe round where the whole hypothesis"
            + " held again; back in balancing: from the fault's end until the gateway had no more"
            + " endpoints out of balancing than before it.\n");
    return new ChaosResult(root, md.toString());
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
  }

  /** Writes {@code chaos-result.json} and {@code chaos-result.md} into {@code dir}. */
  public void write(Path dir) {
    try {
      AtomicFiles.write(dir.resolve(JSON_FILE), JSON.writeValueAsBytes(json));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(JSON_FILE), e);
    }
    AtomicFiles.writeString(dir.resolve(MARKDOWN_FILE), markdown);
  }
}
