package dev.kumaforge.harness.cli;

import dev.kumaforge.backends.MockBackends;
import dev.kumaforge.backends.config.BackendsConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code forge backends}: runs the mock LLM providers of a config file until stopped. */
@Command(
    name = "backends",
    mixinStandardHelpOptions = true,
    header = "Start the mock LLM providers (OpenAI- and Anthropic-style).",
    description = {
      "Start the mock LLM providers (OpenAI- and Anthropic-style) described by a config file.",
      "Prints 'READY <provider> <url>' per provider once listening; runs until stopped (Ctrl-C).",
      "Config keys: mock-llm-backends/src/main/resources/reference.yaml;"
          + " example: mock-llm-backends/examples/providers.yaml"
    })
public final class BackendsCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "Providers config (YAML).")
  Path config;

  @Option(
      names = "--ready-file",
      paramLabel = "FILE",
      description = "Write {\"<provider>\": \"<url>\"} here (atomically) once listening.")
  Path readyFile;

  @Option(
      names = "--ephemeral-ports",
      description = "Bind every provider to port 0 (a free port) instead of its configured port.")
  boolean ephemeralPorts;

  @Override
  public Integer call() throws Exception {
    BackendsConfig cfg = BackendsConfig.load(config);
    if (ephemeralPorts) {
      cfg = cfg.withEphemeralPorts();
    }
    MockBackends backends = MockBackends.start(cfg);
    return ServerLifecycle.serveUntilStopped("backends", backends, backends.listeners(), readyFile);
  }
}
