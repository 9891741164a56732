package dev.kumaforge.harness.run;

import com.fasterxml.jackson.databind.ObjectWriter;
import dev.kumaforge.backends.config.BackendsConfig;
import dev.kumaforge.common.config.YamlConfig;
import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.harness.Forge;
import dev.kumaforge.harness.process.CpuPinning;
import dev.kumaforge.harness.process.ProcessSampler;
import dev.kumaforge.load.scenario.Cpus;
import dev.kumaforge.load.scenario.Scenario;
import dev.kumaforge.load.scenario.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The main job, {@code forge run}.
 *
 * <pre>
 * scenario.yaml -> validate -> run folder (.partial) + manifest.json
 *   -> mock backends (own JVM, ready file)
 *   -> for each trial, for each target (A B C A B C ...):
 *        start target (reference gateway JVM | direct | external) -> warm up -> open-loop load
 *        -> latency.hlog, result.json, process.csv -> stop target
 *   -> reports (summary.json, report.md, report.html, junit.xml) -> rename folder -> exit code
 * </pre>
 */
public final class RunOrchestrator {
  static final Duration READY_TIMEOUT = TargetLauncher.READY_TIMEOUT;

  private static final ObjectWriter JSON = YamlConfig.jsonMapper().writerWithDefaultPrettyPrinter();

  private final Path scenarioFile;
  private final Path out;
  private final Console console;

  public RunOrchestrator(Path scenarioFile, Path out, Console console) {
    this.scenarioFile = scenarioFile;
    this.out = out;
    this.console = console;
  }

  /** A scenario whose files were all checked before anything started. */
  public record Checked(Scenario scenario, RunPlan plan, BackendsConfig backends) {}

  /** Loads and checks everything that can be checked before a folder or a process exists. */
  public static Checked check(Path scenarioFile) {
    Scenario scenario = Scenario.load(scenarioFile);
    CpuPinning.check(scenario.cpus(), scenarioFile.toString());
    RunPlan plan = RunPlan.of(scenario);
    // A scenario whose targets are all external needs no mock backends.
    BackendsConfig backendsConfig =
        scenario.backends() == null ? null : BackendsConfig.load(scenario.backends().configPath());
    for (Target t : plan.targets()) {
      if (t.configPath() != null) {
        dev.kumaforge.gateway.config.GatewayConfig.load(t.configPath());
      }
    }
    return new Checked(scenario, plan, backendsConfig);
  }

  /** Runs the scenario and returns the exit code (0 pass, 1 SLO failed, 2 invalid). */
  public int run() throws InterruptedException {
    Checked checked = check(scenarioFile);
    Scenario scenario = checked.scenario();
    Instant startedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    RunFolder folder = RunFolder.create(out, scenario.name(), startedAt);
    Path dir = folder.dir();
    console.line(
        "forge run "
            + scenario.name()
            + ": "
            + scenario.targets().size()
            + " target(s) x "
            + scenario.trials()
            + " trial(s) -> "
            + folder.finalDir());
    for (RunPlan.Skipped s : checked.plan().skipped()) {
      console.line("  SKIPPED target " + s.target() + ": " + s.reason());
    }
    pin(scenario, console);
    try {
      AtomicFiles.write(dir.resolve("scenario.yaml"), Files.readAllBytes(scenarioFile));
      AtomicFiles.write(
          dir.resolve("manifest.json"),
          JSON.writeValueAsBytes(
              Manifest.build(scenario, checked.plan(), scenarioFile, startedAt)));
      try (MockBackendsProcess backends =
          checked.backends() == null
              ? null
              : MockBackendsProcess.start(
                  scenario, checked.backends(), dir.resolve("backends"), READY_TIMEOUT, console)) {
        TargetLauncher launcher = TargetLauncher.against(backends, scenario, console);
        for (RunPlan.Step step : checked.plan().steps()) {
          runStep(scenario, step, dir, launcher);
        }
      }
      int exit = Reporting.writeReports(dir, console);
      Path done = folder.complete();
      console.line("run folder: " + done);
      console.line("report:     " + done.resolve("report.html"));
      return exit;
    } catch (RuntimeException | IOException e) {
      Path failed = folder.fail();
      console.line("run failed; logs kept in " + failed);
      if (e instanceof IOException io) {
        throw new UncheckedIOException(io);
      }
      throw (RuntimeException) e;
    } catch (InterruptedException e) {
      Path failed = folder.fail();
      console.line("run interrupted; logs kept in " + failed);
      throw e;
    }
  }

  /** Pins this process to the scenario's load CPUs, if any, and says so. */
  public static void pin(Scenario scenario, Console console) {
    CpuPinning pinning = CpuPinning.of(scenario);
    if (pinning.any()) {
      Cpus c = pinning.cpus();
      console.line(
          "  cpus: load "
              + orAll(c.load())
              + ", targets "
              + orAll(c.targets())
              + ", backends "
              + orAll(c.backends()));
      pinning.pinThisProcess();
    }
  }

  private static String orAll(String list) {
    return list == null ? "not pinned" : list;
  }

  private void runStep(Scenario scenario, RunPlan.Step step, Path dir, TargetLauncher launcher)
      throws IOException, InterruptedException {
    Target target = step.target();
    Path tdir = dir.resolve("targets").resolve(target.name());
    Path trialDir = tdir.resolve("trial-" + step.trial());
    Files.createDirectories(trialDir);
    try (RunningTarget running = launcher.start(target, tdir, trialDir)) {
      console.line(
          "trial "
              + step.trial()
              + "/"
              + scenario.trials()
              + " "
              + target.name()
              + " ("
              + target.type()
              + ") at "
              + running.url());
      ProcessSampler sampler = running.sampler(trialDir.resolve("process.csv"));
      try {
        Loads.drive(scenario, target, step.trial(), running.url(), trialDir, sampler, console);
      } finally {
        if (sampler != null) {
          sampler.close();
        }
      }
      running.checkAlive();
    }
  }

  /** The manifest.json content. */
  static final class Manifest {
    private Manifest() {}

    static Map<String, Object> build(
        Scenario s, RunPlan plan, Path scenarioFile, Instant startedAt) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("schema_version", 1);
      m.put("scenario", s.name());
      m.put("scenario_file", scenarioFile.toAbsolutePath().normalize().toString());
      m.put("started_at", startedAt.toString());
      m.put("forge_version", Forge.version());
      m.put("git_commit", MachineInfo.gitCommit());
      m.put("seed", s.seed());
      Map<String, Object> machine = new LinkedHashMap<>(MachineInfo.describe());
      if (s.cpus() != null && s.cpus().any()) {
        // shown in every report's machine table
        machine.put(
            "cpu_pinning",
            "load "
                + orAll(s.cpus().load())
                + ", targets "
                + orAll(s.cpus().targets())
                + ", backends "
                + orAll(s.cpus().backends()));
      }
      m.put("machine", machine);
      m.put("baseline", s.baseline());
      m.put(
          "targets",
          plan.targets().stream()
              .map(t -> Map.of("name", t.name(), "type", t.type().toString()))
              .toList());
      m.put(
          "skipped_targets",
          plan.skipped().stream()
              .map(k -> Map.of("name", k.target(), "reason", k.reason()))
              .toList());
      m.put("trials", s.trials());
      if (s.cpus() != null && s.cpus().any()) {
        Map<String, Object> cpus = new LinkedHashMap<>();
        cpus.put("load", s.cpus().load());
        cpus.put("targets", s.cpus().targets());
        cpus.put("backends", s.cpus().backends());
        m.put("cpus", cpus);
      }
      m.put("workload", Loads.workloadSummary(s));
      m.put("slos", Loads.slosSummary(s));
      m.put("scenario_resolved", s.toJsonTree());
      return m;
    }
  }
}
