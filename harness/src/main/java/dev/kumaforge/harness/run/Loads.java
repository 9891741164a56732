package dev.kumaforge.harness.run;

import dev.kumaforge.common.units.Durations;
import dev.kumaforge.harness.process.ProcessSampler;
import dev.kumaforge.load.engine.ClientOptions;
import dev.kumaforge.load.engine.LoadResult;
import dev.kumaforge.load.engine.OpenLoopEngine;
import dev.kumaforge.load.engine.Progress;
import dev.kumaforge.load.scenario.Engine;
import dev.kumaforge.load.scenario.Phase;
import dev.kumaforge.load.scenario.Scenario;
import dev.kumaforge.load.scenario.Target;
import dev.kumaforge.load.scenario.Workload;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Drives one trial's load through the open-loop engine or Gatling and shows its progress. */
final class Loads {
  private Loads() {}

  static LoadResult drive(
      Scenario scenario,
      Target target,
      int trial,
      String url,
      Path trialDir,
      ProcessSampler sampler,
      Console console) {
    JitSettling.Outcome settled = null;
    if (target.settle() != null) {
      settled = JitSettling.run(scenario, target, trial, url, sampler, console);
      console.line(settled.describe(target.name(), trial, target.settle()));
    }
    // Target CPU is read at the start and end of the measured phases only (warm-up and JIT
    // excluded): average cores used while measured / achieved rate = CPU time per request.
    MeasureStart measureStart = new MeasureStart(sampler, scenario.workload().warmup());
    LoadResult result;
    if (scenario.workload().engine() == Engine.GATLING) {
      console.line("  " + target.name() + " trial " + trial + ": Gatling running (forked JVM)");
      GatlingLauncher.Outcome outcome;
      try {
        outcome =
            GatlingLauncher.run(
                scenario, URI.create(url), trialDir, target.name(), trial, measureStart::begin);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while Gatling ran", e);
      }
      if (outcome.assertionsFailed()) {
        console.line("  " + target.name() + " trial " + trial + ": a Gatling assertion failed");
      }
      result = outcome.result();
    } else {
      result = openLoop(scenario, target, trial, url, trialDir, console, measureStart);
    }
    LoadResult finished =
        finish(scenario, target, trial, trialDir, sampler, console, measureStart, result);
    if (settled != null) {
      settled.addTo(trialDir.resolve(OpenLoopEngine.RESULT_FILE));
    }
    return finished;
  }

  private static LoadResult openLoop(
      Scenario scenario,
      Target target,
      int trial,
      String url,
      Path trialDir,
      Console console,
      MeasureStart measureStart) {
    LoadResult result =
        new OpenLoopEngine()
            .run(
                scenario,
                URI.create(url),
                ClientOptions.of(target),
                trialDir,
                target.name(),
                trial,
                measureStart.listener(console));
    console.endStatus();
    return result;
  }

  private static LoadResult finish(
      Scenario scenario,
      Target target,
      int trial,
      Path trialDir,
      ProcessSampler sampler,
      Console console,
      MeasureStart measureStart,
      LoadResult result) {
    String cpu = "";
    if (sampler != null && measureStart.get() != null && result.achievedRps() > 0) {
      ProcessSampler.Snapshot end = sampler.snapshot();
      double cores = end.coresSince(measureStart.get());
      double cpuMicrosPerRequest = cores * 1e6 / result.achievedRps();
      double jitCores = end.jitCoresSince(measureStart.get());
      TargetProcess.addTo(
          trialDir.resolve(OpenLoopEngine.RESULT_FILE),
          cores,
          cpuMicrosPerRequest,
          sampler.maxRssKib(),
          jitCores);
      cpu = String.format(Locale.ROOT, ", target CPU %.1f us/req", cpuMicrosPerRequest);
      if (jitCores >= 0) {
        // a JVM still compiling while measured pays for its compiler on the shared cores
        cpu += " (JIT compiler " + JitSettling.percent(jitCores) + " of a core)";
      }
    }
    console.line(
        String.format(
            Locale.ROOT,
            "  %s trial %d: %d requests, %.1f req/s, %d errors, generator lag p99 %s%s%s%s",
            target.name(),
            trial,
            result.completed(),
            result.achievedRps(),
            result.errors(),
            Durations.formatMicros(result.lag().p99()),
            cpu,
            result.connections() == null ? "" : result.connections().describe(),
            result.valid() ? "" : "  INVALID: " + result.invalidReason()));
    return result;
  }

  static String status(Progress p) {
    return String.format(
        Locale.ROOT,
        "[%s #%d] %-8s %s/%s  %.0f req/s  p99 %s  errors %d",
        p.target(),
        p.trial(),
        p.phase(),
        clock(p.elapsed()),
        clock(p.total()),
        p.currentRps(),
        Durations.formatMicros(p.p99Micros()),
        p.errors());
  }

  private static String clock(Duration d) {
    long s = d.toSeconds();
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  static Map<String, Object> workloadSummary(Scenario s) {
    Workload w = s.workload();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("engine", w.engine().toString());
    double measured = w.measuredDuration().toNanos() / 1e9;
    double expected = 0;
    List<Map<String, Object>> phases = new ArrayList<>();
    if (w.phases() != null) {
      for (Phase p : w.phases()) {
        expected += w.closedLoop() ? 0 : p.expectedRequests();
        Map<String, Object> pm = new LinkedHashMap<>();
        pm.put("name", p.name());
        pm.put("type", String.valueOf(p.type()));
        if (!w.closedLoop()) {
          pm.put("rate_from_rps", p.startRate().perSecond());
          pm.put("rate_to_rps", p.endRate().perSecond());
        }
        pm.put("duration_s", p.duration().toNanos() / 1e9);
        phases.add(pm);
      }
    }
    m.put("rate_rps", w.closedLoop() || measured == 0 ? null : expected / measured);
    m.put("warmup_s", w.warmup().toNanos() / 1e9);
    m.put("duration_s", measured);
    m.put("arrivals", w.arrivals().toString());
    m.put("concurrency", w.concurrency());
    m.put("phases", phases);
    return m;
  }

  private static Map<String, Long> micros(Map<String, java.time.Duration> bounds) {
    Map<String, Long> m = new LinkedHashMap<>();
    bounds.forEach((k, v) -> m.put(k, v.toNanos() / 1000));
    return m;
  }

  static Map<String, Object> slosSummary(Scenario s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("latency_us", micros(s.slos().latency()));
    if (!s.slos().ttft().isEmpty()) {
      m.put("ttft_us", micros(s.slos().ttft()));
    }
    if (!s.slos().tpot().isEmpty()) {
      m.put("tpot_us", micros(s.slos().tpot()));
    }
    m.put("max_error_rate", s.slos().errorRate() == null ? null : s.slos().errorRate().value());
    return m;
  }
}
