package dev.kumaforge.reports.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.common.hdr.HlogTags;
import dev.kumaforge.reports.ReportException;
import dev.kumaforge.reports.model.AddedLatency;
import dev.kumaforge.reports.model.JitFigures;
import dev.kumaforge.reports.model.LatencyPercentiles;
import dev.kumaforge.reports.model.MetricDefinitions;
import dev.kumaforge.reports.model.Range;
import dev.kumaforge.reports.model.SloResult;
import dev.kumaforge.reports.model.SpectrumPoint;
import dev.kumaforge.reports.model.Spread;
import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.model.TargetSummary;
import dev.kumaforge.reports.model.TimePoint;
import dev.kumaforge.reports.model.TokenUsage;
import dev.kumaforge.reports.model.TrialFigures;
import dev.kumaforge.reports.model.Trials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.IntCountsHistogram;

/**
 * Builds a {@link Summary} from one or more run folders of the same scenario. Trial {@code n} of
 * target {@code t} in every folder is the same trial driven from several machines: its histograms
 * are added (exact) and its throughputs summed.
 */
public final class SummaryBuilder {
  private static final Pattern TRIAL_DIR = Pattern.compile("trial-(\\d+)");
  private static final List<String> LATENCY_SLO_KEYS =
      List.of("p50", "p90", "p99", "p999", "p9999", "max");

  private static final double SPECTRUM_END = 99.999;
  private static final List<String> LLM_TAGS = List.of(HlogTags.TTFT, HlogTags.ITL, HlogTags.TPOT);

  private SummaryBuilder() {}

  /** Reads every run folder and builds the merged summary. */
  public static Summary build(List<Path> runDirs) {
    if (runDirs.isEmpty()) {
      throw new ReportException("no run folder given");
    }
    List<Manifest> manifests = new ArrayList<>();
    for (Path dir : runDirs) {
      manifests.add(Manifest.read(dir));
    }
    Manifest first = manifests.get(0);
    for (Manifest m : manifests) {
      if (!m.scenario().equals(first.scenario())) {
        throw new ReportException(
            "cannot merge runs of different scenarios: "
                + first.file()
                + " is \""
                + first.scenario()
                + "\", "
                + m.file()
                + " is \""
                + m.scenario()
                + "\"");
      }
    }
    Map<String, Manifest.TargetRef> targets = new LinkedHashMap<>();
    for (Manifest m : manifests) {
      m.targets().forEach(t -> targets.putIfAbsent(t.name(), t));
    }

    List<TargetSummary> summaries = new ArrayList<>();
    for (Manifest.TargetRef t : targets.values()) {
      summaries.add(target(t, runDirs, first.trials()));
    }
    String baseline = first.baseline();
    TargetSummary base =
        summaries.stream().filter(s -> s.name().equals(baseline)).findFirst().orElse(null);
    List<TargetSummary> withAdded = new ArrayList<>();
    for (TargetSummary s : summaries) {
      AddedLatency added =
          base == null || s == base || base.latencyUs().count() == 0 || s.latencyUs().count() == 0
              ? null
              : AddedLatency.between(s.latencyUs(), base.latencyUs());
      withAdded.add(withAdded(s, added));
    }

    List<SloResult> slos = slos(first, withAdded);
    String verdict;
    String reason;
    List<String> invalid =
        withAdded.stream()
            .filter(s -> !s.valid())
            .map(s -> s.name() + ": " + s.invalidReason())
            .toList();
    long failed = slos.stream().filter(s -> !s.passed()).count();
    if (!invalid.isEmpty()) {
      verdict = Summary.INVALID;
      reason = "invalid run, numbers not trusted: " + String.join("; ", invalid);
    } else if (failed > 0) {
      verdict = Summary.FAIL;
      reason =
          failed
              + " of "
              + slos.size()
              + " SLO checks failed: "
              + String.join(
                  "; ",
                  slos.stream()
                      .filter(x -> !x.passed())
                      .map(x -> x.target() + " " + x.name() + " (actual " + actual(x) + ")")
                      .toList());
    } else {
      verdict = Summary.PASS;
      reason =
          slos.isEmpty()
              ? "all trials valid; the scenario defines no SLO"
              : "all trials valid; all " + slos.size() + " SLO checks passed";
    }
    return new Summary(
        Summary.SCHEMA_VERSION,
        first.scenario(),
        first.startedAt(),
        first.forgeVersion(),
        first.gitCommit(),
        baseline,
        first.machine(),
        first.workload(),
        MetricDefinitions.all(),
        runDirs.stream().map(SummaryBuilder::sourceName).toList(),
        List.copyOf(withAdded),
        slos,
        verdict,
        reason,
        Ratios.between(withAdded, baseline),
        RunExtras.events(runDirs),
        RunExtras.jmh(runDirs),
        PublishedFigures.shownFor(withAdded.stream().map(TargetSummary::type).toList()));
  }

  private static TargetSummary withAdded(TargetSummary s, AddedLatency added) {
    return new TargetSummary(
        s.name(),
        s.type(),
        s.requests(),
        s.ok(),
        s.errors(),
        s.errorRate(),
        s.durationS(),
        s.throughputRps(),
        s.latencyUs(),
        s.errorLatencyUs(),
        added,
        s.errorsByKind(),
        s.trials(),
        s.timeseries(),
        s.spectrum(),
        s.ttftUs(),
        s.itlUs(),
        s.tpotUs(),
        s.valid(),
        s.invalidReason(),
        s.cpuUsPerRequest(),
        s.usage(),
        s.costUsd(),
        s.costPer1kRequestsUsd());
  }

  private static TreeMap<Integer, List<Path>> trialDirs(String target, List<Path> runDirs) {
    TreeMap<Integer, List<Path>> byTrial = new TreeMap<>();
    for (Path run : runDirs) {
      Path targetDir = run.resolve("targets").resolve(target);
      if (!Files.isDirectory(targetDir)) {
        continue;
      }
      try (Stream<Path> children = Files.list(targetDir)) {
        for (Path child : (Iterable<Path>) children::iterator) {
          Matcher m = TRIAL_DIR.matcher(child.getFileName().toString());
          if (Files.isDirectory(child) && m.matches()) {
            byTrial
                .computeIfAbsent(Integer.parseInt(m.group(1)), n -> new ArrayList<>())
                .add(child);
          }
        }
      } catch (IOException e) {
        throw new ReportException("cannot list " + targetDir + ": " + e.getMessage(), e);
      }
    }
    return byTrial;
  }

  private static TargetSummary target(Manifest.TargetRef ref, List<Path> runDirs, int expected) {
    TreeMap<Integer, List<Path>> byTrial = trialDirs(ref.name(), runDirs);
    Histogram latency = newHistogram();
    Histogram errorLatency = newHistogram();
    Map<String, Histogram> llm = new LinkedHashMap<>();
    TreeMap<Long, TrialLog.Second> seconds = new TreeMap<>();
    Map<String, Long> errorsByKind = new TreeMap<>();
    List<TrialFigures> trials = new ArrayList<>();
    List<String> invalid = new ArrayList<>();
    double totalDuration = 0;
    for (Map.Entry<Integer, List<Path>> e : byTrial.entrySet()) {
      TrialFigures tf = trial(e.getKey(), e.getValue(), latency, errorLatency, llm, seconds);
      trials.add(tf);
      totalDuration += tf.durationS();
      tf.errorsByKind().forEach((k, v) -> errorsByKind.merge(k, v, Long::sum));
      if (!tf.valid()) {
        invalid.add("trial " + tf.trial() + ": " + tf.invalidReason());
      }
    }
    if (trials.size() < expected) {
      invalid.add(
          "expected "
              + expected
              + " trial(s) under targets/"
              + ref.name()
              + "/, found "
              + trials.size());
    }
    long ok = latency.getTotalCount();
    long errors = errorLatency.getTotalCount();
    long requests = ok + errors;
    double throughput =
        trials.isEmpty()
            ? 0
            : trials.stream().mapToDouble(TrialFigures::throughputRps).sum() / trials.size();
    Spread spread =
        new Spread(
            Range.of(trials.stream().map(t -> t.latencyUs().p50()).toList()),
            Range.of(trials.stream().map(t -> t.latencyUs().p99()).toList()),
            Range.of(trials.stream().map(t -> t.latencyUs().p999()).toList()),
            Range.of(trials.stream().map(TrialFigures::throughputRps).toList()));
    List<TimePoint> series = new ArrayList<>();
    int n = Math.max(1, trials.size());
    for (Map.Entry<Long, TrialLog.Second> s : seconds.entrySet()) {
      IntCountsHistogram h = s.getValue().latency;
      long count = h.getTotalCount();
      series.add(
          new TimePoint(
              s.getKey(),
              round((count + s.getValue().errors) / (double) n),
              round(s.getValue().errors / (double) n),
              count == 0 ? 0 : h.getValueAtPercentile(50),
              count == 0 ? 0 : h.getValueAtPercentile(99)));
    }
    return new TargetSummary(
        ref.name(),
        ref.type(),
        requests,
        ok,
        errors,
        requests == 0 ? 0 : ratio(errors, requests),
        round(totalDuration),
        round(throughput),
        LatencyPercentiles.of(latency),
        LatencyPercentiles.of(errorLatency),
        null,
        errorsByKind,
        new Trials(trials.size(), List.copyOf(trials), spread),
        List.copyOf(series),
        spectrum(latency),
        optional(llm.get(HlogTags.TTFT)),
        optional(llm.get(HlogTags.ITL)),
        optional(llm.get(HlogTags.TPOT)),
        invalid.isEmpty(),
        invalid.isEmpty() ? null : String.join("; ", invalid),
        meanCpu(trials),
        usage(trials),
        cost(trials),
        costPer1k(trials));
  }

  private static TokenUsage usage(List<TrialFigures> trials) {
    TokenUsage sum = null;
    for (TrialFigures t : trials) {
      if (t.usage() != null) {
        sum = t.usage().plus(sum);
      }
    }
    return sum;
  }

  private static Double cost(List<TrialFigures> trials) {
    List<TrialFigures> priced = trials.stream().filter(t -> t.costUsd() != null).toList();
    return priced.isEmpty()
        ? null
        : Math.round(priced.stream().mapToDouble(TrialFigures::costUsd).sum() * 1e6) / 1e6;
  }

  /** Cost per 1,000 requests over the trials that carry a cost: sum of cost / their requests. */
  private static Double costPer1k(List<TrialFigures> trials) {
    List<TrialFigures> priced = trials.stream().filter(t -> t.costUsd() != null).toList();
    long requests = priced.stream().mapToLong(TrialFigures::requests).sum();
    if (priced.isEmpty() || requests == 0) {
      return null;
    }
    double cost = priced.stream().mapToDouble(TrialFigures::costUsd).sum();
    return Math.round(cost * 1000.0 / requests * 1e6) / 1e6;
  }

  /** The mean target CPU per request over the trials that measured it, or null. */
  private static Double meanCpu(List<TrialFigures> trials) {
    List<Double> values =
        trials.stream().map(TrialFigures::cpuUsPerRequest).filter(Objects::nonNull).toList();
    return values.isEmpty()
        ? null
        : round(values.stream().mapToDouble(Double::doubleValue).sum() / values.size());
  }

  private static TrialFigures trial(
      int trial,
      List<Path> dirs,
      Histogram targetLatency,
      Histogram targetErrors,
      Map<String, Histogram> targetLlm,
      TreeMap<Long, TrialLog.Second> targetSeconds) {
    Histogram latency = newHistogram();
    Histogram errors = newHistogram();
    Histogram lag = newHistogram();
    Map<String, Long> byKind = new TreeMap<>();
    List<String> invalid = new ArrayList<>();
    JsonNode resultLag = null;
    double duration = 0;
    double throughput = 0;
    List<Double> cpu = new ArrayList<>();
    TokenUsage usage = null;
    Double cost = null;
    JitFigures jit = null;
    for (Path dir : dirs) {
      TrialResult result = TrialResult.read(dir);
      if (result.jit() != null) {
        jit = result.jit().merge(jit);
      }
      if (result.usage() != null) {
        usage = result.usage().plus(usage);
      }
      if (result.costUsd() != null) {
        cost = (cost == null ? 0 : cost) + result.costUsd();
      }
      if (result.cpuUsPerRequest() != null) {
        cpu.add(result.cpuUsPerRequest());
      }
      TrialLog log = TrialLog.read(dir.resolve(HlogTags.LATENCY_LOG));
      addIfPresent(latency, log.total(HlogTags.LATENCY));
      addIfPresent(errors, log.total(HlogTags.ERROR));
      addIfPresent(lag, log.total(HlogTags.LAG));
      for (String tag : LLM_TAGS) {
        Histogram h = log.total(tag);
        if (h != null) {
          targetLlm.computeIfAbsent(tag, t -> newHistogram()).add(h);
        }
      }
      log.seconds().forEach((s, data) -> targetSeconds.merge(s, data, SummaryBuilder::mergeSecond));
      result.errorsByKind().forEach((k, v) -> byKind.merge(k, v, Long::sum));
      if (!result.valid()) {
        invalid.add(
            dirs.size() == 1 ? result.invalidReason() : dir + ": " + result.invalidReason());
      }
      if (resultLag == null && result.lagUs().isObject()) {
        resultLag = result.lagUs();
      }
      double d = result.durationS() > 0 ? result.durationS() : log.spanSeconds();
      long requests = log.count(HlogTags.LATENCY) + log.count(HlogTags.ERROR);
      duration = Math.max(duration, d);
      throughput += d > 0 ? requests / d : 0;
    }
    targetLatency.add(latency);
    targetErrors.add(errors);
    long requests = latency.getTotalCount() + errors.getTotalCount();
    LatencyPercentiles lagUs =
        lag.getTotalCount() > 0 || resultLag == null
            ? LatencyPercentiles.of(lag)
            : new LatencyPercentiles(
                0,
                resultLag.path("p50").asLong(),
                resultLag.path("p90").asLong(),
                resultLag.path("p99").asLong(),
                resultLag.path("p999").asLong(),
                resultLag.path("p9999").asLong(),
                resultLag.path("max").asLong(),
                0);
    return new TrialFigures(
        trial,
        dirs.stream()
            .map(d -> Objects.requireNonNull(d.getParent().getParent().getParent()).toString())
            .toList(),
        requests,
        errors.getTotalCount(),
        requests == 0 ? 0 : ratio(errors.getTotalCount(), requests),
        round(duration),
        round(throughput),
        LatencyPercentiles.of(latency),
        lagUs,
        byKind,
        invalid.isEmpty(),
        invalid.isEmpty() ? null : String.join("; ", invalid),
        cpu.isEmpty()
            ? null
            : round(cpu.stream().mapToDouble(Double::doubleValue).average().orElse(0)),
        usage,
        cost == null ? null : Math.round(cost * 1e6) / 1e6,
        jit);
  }

  /** Percentile spectrum out to 99.999% (5 points per halving of the remaining tail). */
  static List<SpectrumPoint> spectrum(Histogram h) {
    List<SpectrumPoint> out = new ArrayList<>();
    if (h.getTotalCount() == 0) {
      return out;
    }
    for (HistogramIterationValue v : h.percentiles(5)) {
      double p = v.getPercentileLevelIteratedTo();
      if (p >= SPECTRUM_END) {
        break;
      }
      out.add(new SpectrumPoint(Math.round(p * 1e6) / 1e6, v.getValueIteratedTo()));
    }
    out.add(new SpectrumPoint(SPECTRUM_END, h.getValueAtPercentile(SPECTRUM_END)));
    return List.copyOf(out);
  }

  private static TrialLog.Second mergeSecond(TrialLog.Second a, TrialLog.Second b) {
    a.add(b);
    return a;
  }

  private static LatencyPercentiles optional(Histogram h) {
    return h == null ? null : LatencyPercentiles.of(h);
  }

  private static void addIfPresent(Histogram into, Histogram h) {
    if (h != null) {
      into.add(h);
    }
  }

  private static Histogram newHistogram() {
    return new Histogram(HlogTags.HIGHEST_TRACKABLE_MICROS, HlogTags.SIGNIFICANT_DIGITS);
  }

  private static List<SloResult> slos(Manifest m, List<TargetSummary> targets) {
    JsonNode slos = m.slos();
    List<SloResult> out = new ArrayList<>();
    Map<String, Long> latencyLimits = limits(m, slos, "latency_us");
    Map<String, Long> ttftLimits = limits(m, slos, "ttft_us");
    Map<String, Long> tpotLimits = limits(m, slos, "tpot_us");
    JsonNode maxErrorRate = slos.get("max_error_rate");
    if (maxErrorRate != null && !maxErrorRate.isNull() && !maxErrorRate.isNumber()) {
      throw new ReportException(
          m.file() + ": slos.max_error_rate must be a number, was " + maxErrorRate);
    }
    for (TargetSummary t : targets) {
      percentileSlos(out, t, "latency", "latency_us", latencyLimits, t.latencyUs());
      percentileSlos(out, t, "ttft", "ttft_us", ttftLimits, t.ttftUs());
      percentileSlos(out, t, "tpot", "tpot_us", tpotLimits, t.tpotUs());
      if (maxErrorRate != null && maxErrorRate.isNumber()) {
        double limit = maxErrorRate.asDouble();
        out.add(
            new SloResult(
                t.name(),
                "error rate <= " + Units.percent(limit),
                "error_rate",
                limit,
                t.errorRate(),
                t.errorRate() <= limit));
      }
    }
    return List.copyOf(out);
  }

  /**
   * One result per limit; a target without samples of {@code what} (no streams for ttft) fails the
   * objective, since it cannot show it holds.
   */
  private static void percentileSlos(
      List<SloResult> out,
      TargetSummary t,
      String what,
      String field,
      Map<String, Long> limits,
      LatencyPercentiles measured) {
    for (Map.Entry<String, Long> e : limits.entrySet()) {
      boolean sampled = measured != null && measured.count() > 0;
      long actual = sampled ? measured.get(e.getKey()) : 0;
      out.add(
          new SloResult(
              t.name(),
              what
                  + " "
                  + e.getKey()
                  + " <= "
                  + Units.micros(e.getValue())
                  + (sampled ? "" : " (no samples)"),
              field + "." + e.getKey(),
              e.getValue(),
              actual,
              sampled && actual <= e.getValue()));
    }
  }

  /** The manifest's {@code slos.<field>} percentile limits in µs, checked. */
  private static Map<String, Long> limits(Manifest m, JsonNode slos, String field) {
    Map<String, Long> limits = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : slos.path(field).properties()) {
      if (!LATENCY_SLO_KEYS.contains(e.getKey())) {
        throw new ReportException(
            m.file()
                + ": unknown percentile slos."
                + field
                + "."
                + e.getKey()
                + " (expected one of "
                + LATENCY_SLO_KEYS
                + ")");
      }
      if (!e.getValue().canConvertToLong() || e.getValue().asLong() <= 0) {
        throw new ReportException(
            m.file()
                + ": slos."
                + field
                + "."
                + e.getKey()
                + " must be a positive whole number of microseconds, was "
                + e.getValue());
      }
      limits.put(e.getKey(), e.getValue().asLong());
    }
    return limits;
  }

  private static String actual(SloResult s) {
    return s.metric().contains("_us.") ? Units.micros(s.actual()) : Units.percent(s.actual());
  }

  private static double ratio(long part, long whole) {
    return Math.round(part * 1e6 / whole) / 1e6;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /**
   * The folder's absolute path under its final name: {@code forge run} writes reports into {@code
   * <run>.partial} before renaming it, and the summary must name the folder that will exist.
   */
  static String sourceName(Path runDir) {
    String path = runDir.toAbsolutePath().normalize().toString();
    return path.endsWith(".partial")
        ? path.substring(0, path.length() - ".partial".length())
        : path;
  }
}
