package dev.kumaforge.harness.capacity;

import com.fasterxml.jackson.databind.ObjectWriter;
import dev.kumaforge.common.config.YamlConfig;
import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.common.hdr.HlogTags;
import dev.kumaforge.common.hdr.Hlogs;
import dev.kumaforge.common.units.Durations;
import dev.kumaforge.common.units.Rate;
import dev.kumaforge.harness.run.Console;
import dev.kumaforge.harness.run.MockBackendsProcess;
import dev.kumaforge.harness.run.RunFolder;
import dev.kumaforge.harness.run.RunningTarget;
import dev.kumaforge.harness.run.TargetLauncher;
import dev.kumaforge.load.engine.ClientOptions;
import dev.kumaforge.load.engine.LoadResult;
import dev.kumaforge.load.engine.OpenLoopEngine;
import dev.kumaforge.load.scenario.Engine;
import dev.kumaforge.load.scenario.Phase;
import dev.kumaforge.load.scenario.Scenario;
import dev.kumaforge.load.scenario.Target;
import dev.kumaforge.load.scenario.Workload;
import dev.kumaforge.reports.capacity.CapacityReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * {@code forge capacity}: for each target, a {@link CapacitySearch} whose steps are open-loop runs
 * at a constant rate against the same running target; writes {@code capacity.json} and {@code
 * capacity.md} and the steps' {@code .hlog} files into a run folder.
 */
public final class CapacityRunner {
  private static final ObjectWriter JSON = YamlConfig.jsonMapper().writerWithDefaultPrettyPrinter();

  /** Search settings. */
  public record Settings(
      CapacityCriteria criteria,
      double startRps,
      double maxRps,
      double growth,
      double resolution,
      int maxSteps,
      Duration stepDuration,
      Duration stepWarmup,
      Double neededRps) {}

  private final Scenario scenario;
  private final MockBackendsProcessFactory backendsFactory;
  private final Settings settings;
  private final Console console;

  /** Starts the backends of a scenario (the harness's own launcher in production). */
  @FunctionalInterface
  public interface MockBackendsProcessFactory {
    MockBackendsProcess start(Path dir) throws InterruptedException;
  }

  public CapacityRunner(
      Scenario scenario,
      MockBackendsProcessFactory backendsFactory,
      Settings settings,
      Console console) {
    this.scenario = scenario;
    this.backendsFactory = backendsFactory;
    this.settings = settings;
    this.console = console;
  }

  /** Runs the search for every target; returns 0 when every target sustained the start rate. */
  public int run(Path out) throws InterruptedException {
    RunFolder folder = RunFolder.create(out, scenario.name() + "-capacity", Instant.now());
    Path dir = folder.dir();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("schema_version", 1);
    doc.put("scenario", scenario.name());
    doc.put("started_at", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
    doc.put("machine", dev.kumaforge.harness.run.MachineInfo.describe());
    Map<String, Object> criteria = new LinkedHashMap<>();
    criteria.put("latency_micros", settings.criteria().latencyMicros());
    criteria.put("max_error_rate", settings.criteria().maxErrorRate());
    doc.put("criteria", criteria);
    List<Map<String, Object>> targets = new ArrayList<>();
    doc.put("targets", targets);
    boolean allSustainedSomething = true;
    try (MockBackendsProcess backends = backendsFactory.start(dir.resolve("backends"))) {
      TargetLauncher launcher = TargetLauncher.against(backends, scenario, console);
      for (Target target : scenario.targets()) {
        Path tdir = dir.resolve("targets").resolve(target.name());
        try (RunningTarget running = launcher.start(target, tdir, tdir)) {
          console.line("capacity search " + target.name() + " at " + running.url());
          CapacitySearch search =
              new CapacitySearch(
                  settings.criteria(),
                  settings.startRps(),
                  settings.growth(),
                  settings.resolution(),
                  settings.maxRps(),
                  settings.maxSteps());
          int[] stepNo = {0};
          CapacitySearch.Result result =
              search.run(rate -> step(target, running, tdir, ++stepNo[0], rate));
          running.checkAlive();
          allSustainedSomething &= result.maxSustainedRps() > 0;
          targets.add(describe(target, result));
          console.line(summaryLine(target, result));
        }
      }
      AtomicFiles.write(dir.resolve(CapacityReport.JSON), JSON.writeValueAsBytes(doc));
      CapacityReport.generate(dir);
      Path done = folder.complete();
      console.line("capacity report: " + done.resolve(CapacityReport.HTML));
      return allSustainedSomething ? 0 : 1;
    } catch (IOException e) {
      folder.fail();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | InterruptedException e) {
      folder.fail();
      throw e;
    }
  }

  private StepOutcome step(Target target, RunningTarget running, Path tdir, int n, double rate) {
    Workload w = scenario.workload();
    Workload stepWorkload =
        new Workload(
            // Every step runs on the open-loop engine, the precision instrument, whatever engine
            // the scenario names for forge run.
            Engine.OPEN_LOOP,
            n == 1 ? w.warmup() : settings.stepWarmup(),
            w.arrivals(),
            w.burstiness(),
            w.timeout(),
            w.maxConnections(),
            w.maxLag(),
            null,
            null,
            List.of(
                Phase.constant("step-" + n, Rate.perSecond(round(rate)), settings.stepDuration())),
            w.request(),
            w.requests());
    Path stepDir = tdir.resolve(String.format(Locale.ROOT, "step-%02d", n));
    LoadResult r =
        new OpenLoopEngine()
            .run(
                stepWorkload,
                scenario.seed(),
                URI.create(running.url()),
                ClientOptions.of(target),
                stepDir,
                target.name(),
                n,
                p ->
                    console.status(
                        String.format(
                            Locale.ROOT,
                            "%s step %d @ %.0f/s: %s",
                            target.name(),
                            n,
                            rate,
                            p.statusLine())));
    console.endStatus();
    Map<String, Histogram> totals = Hlogs.totals(stepDir.resolve(HlogTags.LATENCY_LOG));
    Map<String, Long> latency = new LinkedHashMap<>();
    Histogram ok = totals.get(HlogTags.LATENCY);
    if (ok != null && ok.getTotalCount() > 0) {
      latency.put("p50", ok.getValueAtPercentile(50));
      latency.put("p90", ok.getValueAtPercentile(90));
      latency.put("p99", ok.getValueAtPercentile(99));
      latency.put("p999", ok.getValueAtPercentile(99.9));
      latency.put("max", ok.getMaxValue());
    }
    Histogram ttft = totals.get(HlogTags.TTFT);
    if (ttft != null && ttft.getTotalCount() > 0) {
      latency.put("ttft_p50", ttft.getValueAtPercentile(50));
      latency.put("ttft_p99", ttft.getValueAtPercentile(99));
    }
    StepOutcome o =
        new StepOutcome(
            rate,
            r.attempted(),
            r.completed(),
            r.completed() == 0 ? 1.0 : (double) r.errors() / r.completed(),
            latency,
            r.valid());
    List<String> misses = settings.criteria().misses(o);
    console.line(
        String.format(
            Locale.ROOT,
            "  step %d: %.0f req/s offered, %.1f achieved, p99 %s, errors %d -> %s",
            n,
            rate,
            r.achievedRps(),
            latency.containsKey("p99") ? Durations.formatMicros(latency.get("p99")) : "-",
            r.errors(),
            misses.isEmpty() ? "sustained" : "missed: " + String.join("; ", misses)));
    return o;
  }

  private Map<String, Object> describe(Target target, CapacitySearch.Result result) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("name", target.name());
    t.put("type", target.type().toString());
    t.put("max_sustained_rps", round(result.maxSustainedRps()));
    t.put(
        "first_failed_rps",
        Double.isNaN(result.firstFailedRps()) ? null : round(result.firstFailedRps()));
    t.put("knee_rps", round(knee(result)));
    if (settings.neededRps() != null) {
      t.put("needed_rps", settings.neededRps());
      t.put("replicas_needed", result.replicasFor(settings.neededRps()));
    }
    List<Map<String, Object>> steps = new ArrayList<>();
    for (CapacitySearch.Step s : result.steps()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("rate_rps", round(s.outcome().rateRps()));
      m.put("attempted", s.outcome().attempted());
      m.put("completed", s.outcome().completed());
      m.put("error_rate", s.outcome().errorRate());
      m.put("latency_us", s.outcome().latencyMicros());
      m.put("generator_valid", s.outcome().generatorValid());
      m.put("sustained", s.sustained());
      m.put("misses", s.misses());
      steps.add(m);
    }
    t.put("steps", steps);
    return t;
  }

  /**
   * The knee: among sustained steps, the highest rate whose p99 is still within twice the p99 of
   * the lowest rate (where queueing starts to dominate).
   */
  static double knee(CapacitySearch.Result result) {
    List<CapacitySearch.Step> sustained =
        result.steps().stream()
            .filter(CapacitySearch.Step::sustained)
            .filter(s -> s.outcome().latencyMicros().containsKey("p99"))
            .sorted((a, b) -> Double.compare(a.outcome().rateRps(), b.outcome().rateRps()))
            .toList();
    if (sustained.isEmpty()) {
      return 0;
    }
    long base = sustained.get(0).outcome().latencyMicros().get("p99");
    double knee = sustained.get(0).outcome().rateRps();
    for (CapacitySearch.Step s : sustained) {
      if (s.outcome().latencyMicros().get("p99") <= 2 * base) {
        knee = s.outcome().rateRps();
      }
    }
    return knee;
  }

  private String summaryLine(Target target, CapacitySearch.Result r) {
    String line =
        String.format(
            Locale.ROOT,
            "%s: max sustained %.0f req/s (first failed %s), knee %.0f req/s",
            target.name(),
            r.maxSustainedRps(),
            Double.isNaN(r.firstFailedRps())
                ? "none"
                : String.format(Locale.ROOT, "%.0f", r.firstFailedRps()),
            knee(r));
    if (settings.neededRps() != null) {
      line +=
          String.format(
              Locale.ROOT,
              "; %.0f req/s needs %d replica(s)",
              settings.neededRps(),
              r.replicasFor(settings.neededRps()));
    }
    return line;
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
