package dev.kumaforge.harness.cli;

import dev.kumaforge.gateway.Gateway;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code forge gateway}: runs the reference gateway until stopped. */
@Command(
    name = "gateway",
    mixinStandardHelpOptions = true,
    header = "Start the reference gateway.",
    description = {
      "Start the reference gateway described by a config file.",
      "Prints 'READY <listener> <url>' for the public and admin listeners; runs until stopped.",
      "Config keys: reference-gateway/src/main/resources/reference.yaml;"
          + " example: reference-gateway/examples/quickstart.yaml"
    })
public final class GatewayCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "Gateway config (YAML).")
  Path config;

  @Option(
      names = "--ready-file",
      paramLabel = "FILE",
      description = "Write {\"public\": \"<url>\", \"admin\": \"<url>\"} here once listening.")
  Path readyFile;

  @Override
  public Integer call() throws Exception {
    // Started from the file, so POST /reload (and reload.watchFile) re-read it.
    Gateway gateway = Gateway.start(config);
    return ServerLifecycle.serveUntilStopped("gateway", gateway, gateway.listeners(), readyFile);
  }
}
