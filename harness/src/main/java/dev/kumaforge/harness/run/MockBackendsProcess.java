package dev.kumaforge.harness.run;

import dev.kumaforge.backends.config.BackendsConfig;
import dev.kumaforge.harness.process.CpuPinning;
import dev.kumaforge.harness.process.ManagedProcess;
import dev.kumaforge.load.scenario.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The mock LLM backends of a run, in their own JVM on ephemeral ports. */
public final class MockBackendsProcess implements AutoCloseable {
  public static final List<String> BACKENDS_JVM =
      List.of("-Xms256m", "-Xmx1g", "-XX:+UseParallelGC");

  private final ManagedProcess process;
  private final Map<String, String> listeners;
  private final Map<String, String> boundByConfigured;

  private MockBackendsProcess(
      ManagedProcess process,
      Map<String, String> listeners,
      Map<String, String> boundByConfigured) {
    this.process = process;
    this.listeners = listeners;
    this.boundByConfigured = boundByConfigured;
  }

  /** Starts the backends of {@code scenario}, logging to {@code dir/backends.log}. */
  public static MockBackendsProcess start(
      Scenario scenario, BackendsConfig config, Path dir, Duration readyTimeout, Console console)
      throws InterruptedException {
    console.line("  starting mock backends (" + scenario.backends().configPath() + ")");
    Path ready = dir.resolve("ready.json");
    List<String> command =
        CpuPinning.of(scenario)
            .backends(
                ManagedProcess.forgeCommand(
                    BACKENDS_JVM,
                    List.of(
                        "backends",
                        "--config",
                        scenario.backends().configPath().toString(),
                        "--ephemeral-ports",
                        "--ready-file",
                        ready.toString())));
    ManagedProcess p =
        ManagedProcess.start("backends", command, dir.resolve("backends.log"), ready);
    Map<String, String> bound = p.awaitReady(readyTimeout);
    console.line("  backends ready: " + bound);
    return new MockBackendsProcess(p, bound, boundByConfigured(config, bound));
  }

  /** Provider name -> bound URL. */
  public Map<String, String> listeners() {
    return listeners;
  }

  /** A launcher for the scenario's targets against these backends. */
  public TargetLauncher launcher(Scenario scenario, Console console) {
    return new TargetLauncher(scenario, listeners, boundByConfigured, console);
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

  @Override
  public void close() {
    process.close();
  }
}
