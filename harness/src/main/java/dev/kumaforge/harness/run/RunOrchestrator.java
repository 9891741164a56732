package dev.kumaforge.harness.run;

import com.fasterxml.jackson.databind.ObjectWriter;
import dev.kumaforge.backends.config.BackendsConfig;
import dev.kumaforge.common.config.YamlConfig;
import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.harness.Forge;
import dev.kumaforge.harness.process.ManagedProcess;
import dev.kumaforge.harness.process.ProcessSampler;
import dev.kumaforge.load.scenario.Scenario;
import dev.kumaforge.load.scenario.Target;
import dev.kumaforge.load.scenario.TargetType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
  static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  static final List<String> BACKENDS_JVM = List.of("-Xms256m", "-Xmx1g", "-XX:+UseParallelGC");
  static final List<String> GATEWAY_JVM = List.of("-Xms512m", "-Xmx512m", "-XX:+UseParallelGC");

  private static final ObjectWriter JSON = YamlConfig.jsonMapper().writerWithDefaultPrettyPrinter();

  private final Path scenarioFile;
  private final Path out;
  private final Console console;

  public RunOrchestrator(Path scenarioFile, Path out, Console console) {
    this.scenarioFile = scenarioFile;
    this.out = out;
    this.console = console;
  }

  /** Runs the scenario and returns the exit code (0 pass, 1 SLO failed, 2 invalid). */
  public int run() throws InterruptedException {
    // Everything that can be checked is checked before a folder or a process exists.
    Scenario scenario = Scenario.load(scenarioFile);
    RunPlan plan = RunPlan.of(scenario);
    BackendsConfig backendsConfig = BackendsConfig.load(scenario.backends().configPath());
    for (Target t : scenario.targets()) {
      if (t.type() == TargetType.REFERENCE) {
        dev.kumaforge.gateway.config.GatewayConfig.load(t.configPath());
      }
    }

    Instant startedAt = Instant.now();
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
    try {
      copy(scenarioFile, dir.resolve("scenario.yaml"));
      AtomicFiles.write(
          dir.resolve("manifest.json"),
          JSON.writeValueAsBytes(Manifest.build(scenario, scenarioFile, startedAt)));
      int exit;
      try (ManagedProcess backends = startBackends(scenario, dir)) {
        Map<String, String> bound = backends.awaitReady(READY_TIMEOUT);
        console.line("  backends ready: " + bound);
        Map<String, String> boundByConfigured = boundByConfigured(backendsConfig, bound);
        for (RunPlan.Step step : plan.steps()) {
          runStep(scenario, step, dir, bound, boundByConfigured);
        }
      }
      exit = Reporting.writeReports(dir, console);
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

  private ManagedProcess startBackends(Scenario scenario, Path dir) {
    Path bdir = dir.resolve("backends");
    console.line("  starting mock backends (" + scenario.backends().configPath() + ")");
    return ManagedProcess.startForge(
        "backends",
        bdir.resolve("backends.log"),
        bdir.resolve("ready.json"),
        BACKENDS_JVM,
        List.of(
            "backends",
            "--config",
            scenario.backends().configPath().toString(),
            "--ephemeral-ports",
            "--ready-file",
            bdir.resolve("ready.json").toString()));
  }

  /** Maps each provider's configured {@code host:port} to the {@code host:port} it bound. */
  static Map<String, String> boundByConfigured(BackendsConfig cfg, Map<String, String> bound) {
    Map<String, String> map = new HashMap<>();
    cfg.providers()
        .forEach(
            p -> {
              String url = bound.get(p.name());
              if (url != null) {
                map.put(
                    GatewayConfigRewriter.normalize(p.listen()),
                    GatewayConfigRewriter.normalize(url));
              }
            });
    return map;
  }

  private void runStep(
      Scenario scenario,
      RunPlan.Step step,
      Path dir,
      Map<String, String> backends,
      Map<String, String> boundByConfigured)
      throws IOException, InterruptedException {
    Target target = step.target();
    Path tdir = dir.resolve("targets").resolve(target.name());
    Path trialDir = tdir.resolve("trial-" + step.trial());
    Files.createDirectories(trialDir);
    String header = "trial " + step.trial() + "/" + scenario.trials() + " " + target.name();
    switch (target.type()) {
      case DIRECT -> {
        String url = directUrl(scenario, target, backends);
        console.line(header + ": direct to " + url);
        Loads.drive(scenario, target, step.trial(), url, trialDir, null, console);
      }
      case EXTERNAL -> {
        console.line(header + ": external " + target.url());
        Loads.drive(scenario, target, step.trial(), target.url(), trialDir, null, console);
      }
      case REFERENCE -> {
        Path resolved = tdir.resolve("gateway.yaml");
        String text = Files.readString(target.configPath());
        AtomicFiles.writeString(
            resolved,
            GatewayConfigRewriter.rewrite(text, target.configPath().toString(), boundByConfigured));
        console.line(header + ": starting reference gateway");
        try (ManagedProcess gw =
            ManagedProcess.startForge(
                "gateway " + target.name(),
                tdir.resolve("target.log"),
                trialDir.resolve("ready.json"),
                GATEWAY_JVM,
                List.of(
                    "gateway",
                    "--config",
                    resolved.toString(),
                    "--ready-file",
                    trialDir.resolve("ready.json").toString()))) {
          Map<String, String> listeners = gw.awaitReady(READY_TIMEOUT);
          String url = listeners.get("public");
          try (ProcessSampler sampler =
              ProcessSampler.start(gw.pid(), trialDir.resolve("process.csv"))) {
            Loads.drive(scenario, target, step.trial(), url, trialDir, sampler, console);
          }
          if (!gw.isAlive()) {
            throw new IllegalStateException(
                "the gateway of target "
                    + target.name()
                    + " died during the trial\n"
                    + gw.tail(20));
          }
        }
      }
      default -> throw new IllegalStateException("unsupported target type " + target.type());
    }
  }

  static String directUrl(Scenario scenario, Target target, Map<String, String> backends) {
    if (target.backend() != null) {
      String url = backends.get(target.backend());
      if (url == null) {
        throw new IllegalArgumentException(
            "target "
                + target.name()
                + ": backend '"
                + target.backend()
                + "' is not a provider of "
                + scenario.backends().configPath()
                + " (providers: "
                + backends.keySet()
                + ")");
      }
      return url;
    }
    return backends.values().iterator().next();
  }

  private static void copy(Path from, Path to) throws IOException {
    AtomicFiles.write(to, Files.readAllBytes(from));
  }

  /** The manifest.json content. */
  static final class Manifest {
    private Manifest() {}

    static Map<String, Object> build(Scenario s, Path scenarioFile, Instant startedAt) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("schema_version", 1);
      m.put("scenario", s.name());
      m.put("scenario_file", scenarioFile.toAbsolutePath().normalize().toString());
      m.put("started_at", startedAt.toString());
      m.put("forge_version", Forge.version());
      m.put("git_commit", MachineInfo.gitCommit());
      m.put("seed", s.seed());
      m.put("machine", MachineInfo.describe());
      m.put("baseline", Loads.baselineName(s));
      m.put(
          "targets",
          s.targets().stream()
              .map(t -> Map.of("name", t.name(), "type", t.type().toString()))
              .toList());
      m.put("trials", s.trials());
      m.put("workload", Loads.workloadSummary(s));
      m.put("slos", Loads.slosSummary(s));
      m.put("scenario_resolved", s.toJsonTree());
      return m;
    }
  }
}
