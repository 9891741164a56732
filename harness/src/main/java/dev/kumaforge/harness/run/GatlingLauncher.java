package dev.kumaforge.harness.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kumaforge.common.hdr.HlogTags;
import dev.kumaforge.harness.process.CpuPinning;
import dev.kumaforge.harness.process.ManagedProcess;
import dev.kumaforge.load.engine.LoadResult;
import dev.kumaforge.load.engine.OpenLoopEngine;
import dev.kumaforge.load.gatling.GatlingRun;
import dev.kumaforge.load.scenario.Scenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one trial's load with Gatling: {@code io.gatling.app.Gatling} in a forked JVM on this JVM's
 * class path, driving {@link GatlingRun#SIMULATION_CLASS} with the resolved scenario. Gatling's
 * results and HTML report stay in {@code <trial>/gatling/} (its output in {@code gatling.log}
 * there); the simulation writes {@code latency.hlog} and {@code result.json} into the trial folder.
 * Gatling's exit code is honoured: 0 and 2 (an SLO assertion failed) yield the recorded result,
 * anything else fails the run.
 */
public final class GatlingLauncher {
  private static final Duration GRACE = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private GatlingLauncher() {}

  /**
   * The outcome of a Gatling trial.
   *
   * @param result what the simulation recorded ({@code result.json})
   * @param exitCode Gatling's exit code
   * @param reportDir Gatling's results folder
   */
  public record Outcome(LoadResult result, int exitCode, Path reportDir) {
    /** Whether a Gatling assertion (an SLO) failed. */
    public boolean assertionsFailed() {
      return exitCode == GatlingRun.EXIT_ASSERTIONS_FAILED;
    }
  }

  /**
   * Runs the scenario's workload against {@code targetUrl} and waits for Gatling to exit.
   *
   * @param measureStarted called once when the measured phase starts (the simulation opens {@code
   *     latency.hlog}); used to start CPU accounting
   * @throws IllegalStateException when Gatling fails, exits with an unexpected code, or overruns
   *     the scenario's duration plus timeout plus a minute (it is then killed)
   */
  public static Outcome run(
      Scenario scenario,
      URI targetUrl,
      Path trialDir,
      String targetName,
      int trial,
      Runnable measureStarted)
      throws InterruptedException {
    Path gatlingDir = trialDir.resolve(GatlingRun.GATLING_DIR);
    Path scenarioJson = gatlingDir.resolve(GatlingRun.SCENARIO_FILE);
    Path log = gatlingDir.resolve("gatling.log");
    try {
      Files.createDirectories(gatlingDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + gatlingDir, e);
    }
    GatlingRun.writeScenario(scenario, scenarioJson);
    List<String> command =
        CpuPinning.of(scenario)
            .load(
                command(
                    GatlingRun.systemProperties(
                        scenario, scenarioJson, targetUrl, targetName, trial, trialDir),
                    gatlingDir,
                    scenario.name() + " " + targetName + " trial " + trial));
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Gatling: " + e.getMessage(), e);
    }
    Thread reaper = new Thread(process::destroyForcibly, "forge-gatling-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    try {
      Duration budget =
          scenario
              .workload()
              .warmup()
              .plus(scenario.workload().measuredDuration())
              .plus(scenario.workload().timeout())
              .plus(GRACE);
      long deadline = System.nanoTime() + budget.toNanos();
      Path hlog = trialDir.resolve(HlogTags.LATENCY_LOG);
      boolean measuring = false;
      while (!process.waitFor(50, TimeUnit.MILLISECONDS)) {
        if (!measuring && Files.exists(hlog)) {
          measuring = true;
          measureStarted.run();
        }
        if (System.nanoTime() - deadline > 0) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          throw new IllegalStateException(
              "Gatling did not finish within " + budget + "; killed\n" + tail(log));
        }
      }
      int code = process.exitValue();
      Path resultFile = trialDir.resolve(OpenLoopEngine.RESULT_FILE);
      if ((code != GatlingRun.EXIT_OK && code != GatlingRun.EXIT_ASSERTIONS_FAILED)
          || !Files.isRegularFile(resultFile)) {
        throw new IllegalStateException(
            "Gatling exited with code " + code + " for target " + targetName + "\n" + tail(log));
      }
      if (!measuring) {
        measureStarted.run();
      }
      return new Outcome(readResult(resultFile), code, gatlingDir);
    } finally {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down: the hook runs anyway
      }
    }
  }

  /** The forked JVM's command line. */
  static List<String> command(Map<String, String> properties, Path resultsDir, String description) {
    List<String> command = new ArrayList<>();
    command.add(ManagedProcess.javaBinary());
    // what Gatling's own launchers pass: its stats writer needs java.lang opened
    command.add("--add-opens=java.base/java.lang=ALL-UNNAMED");
    command.add("-XX:MaxInlineLevel=20");
    command.add("-XX:MaxTrivialSize=12");
    properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(GatlingRun.GATLING_MAIN);
    command.add("--simulation");
    command.add(GatlingRun.SIMULATION_CLASS);
    command.add("--results-folder");
    command.add(resultsDir.toAbsolutePath().toString());
    command.add("--run-description");
    command.add(description);
    command.add("--launcher");
    command.add("forge");
    return command;
  }

  /** Reads a {@code result.json} back into a {@link LoadResult}. */
  static LoadResult readResult(Path file) {
    try {
      JsonNode n = JSON.readTree(file.toFile());
      Map<String, Long> kinds = new LinkedHashMap<>();
      n.path("errors_by_kind")
          .properties()
          .forEach(e -> kinds.put(e.getKey(), e.getValue().asLong()));
      JsonNode lag = n.path("lag_us");
      return new LoadResult(
          n.path("target").asText(),
          n.path("trial").asInt(),
          Instant.parse(n.path("started_at").asText()),
          n.path("duration_s").asDouble(),
          n.path("intended_rate_rps").asDouble(),
          n.path("attempted").asLong(),
          n.path("completed").asLong(),
          n.path("ok").asLong(),
          n.path("errors").asLong(),
          kinds,
          n.path("achieved_rps").asDouble(),
          new LoadResult.Lag(
              lag.path("p50").asLong(),
              lag.path("p99").asLong(),
              lag.path("p999").asLong(),
              lag.path("max").asLong()),
          n.path("spin_window_us").isObject()
              ? new LoadResult.SpinWindow(
                  n.path("spin_window_us").path("end").asLong(),
                  n.path("spin_window_us").path("min").asLong(),
                  n.path("spin_window_us").path("max").asLong())
              : null,
          n.path("max_connections_used").asInt(),
          n.path("connections_measured").isObject()
              ? new LoadResult.Connections(
                  n.path("connections_measured").path("opened").asLong(),
                  n.path("connections_measured").path("closed_by_target").asLong())
              : null,
          n.path("valid").asBoolean(),
          n.path("invalid_reason").isNull() ? null : n.path("invalid_reason").asText());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static String tail(Path log) {
    try {
      List<String> all = Files.readAllLines(log);
      return "--- last lines of "
          + log
          + " ---\n"
          + String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }
}
