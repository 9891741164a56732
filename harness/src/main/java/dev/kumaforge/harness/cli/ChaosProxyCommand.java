package dev.kumaforge.harness.cli;

import dev.kumaforge.chaos.ChaosProxy;
import dev.kumaforge.chaos.ChaosProxyConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code forge chaos-proxy}: the Toxiproxy-compatible fault proxy. */
@Command(
    name = "chaos-proxy",
    mixinStandardHelpOptions = true,
    header = "Start the fault-injecting TCP proxy (Toxiproxy-compatible API).",
    description = {
      "Start the fault-injecting TCP proxy. Its HTTP control API is compatible with Toxiproxy 2.x",
      "(same endpoints, fields and status codes), so Toxiproxy clients work unchanged. Toxics:",
      "latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data.",
      "Prints 'READY api <url>' and 'READY <proxy> tcp://host:port' per proxy.",
      "Config keys: chaos/reference.yaml"
    })
public final class ChaosProxyCommand implements Callable<Integer> {
  @Option(
      names = "--api",
      paramLabel = "HOST:PORT",
      description = "Control API address (default 127.0.0.1:8474; port 0 for a free port).")
  String api;

  @Option(names = "--config", paramLabel = "FILE", description = "Proxies to create at start.")
  Path config;

  @Option(
      names = "--ready-file",
      paramLabel = "FILE",
      description = "Write {\"api\": \"<url>\", \"<proxy>\": \"tcp://...\"} here once listening.")
  Path readyFile;

  @Override
  public Integer call() throws Exception {
    ChaosProxyConfig cfg =
        config == null ? ChaosProxyConfig.defaults() : ChaosProxyConfig.load(config);
    if (api != null) {
      cfg = cfg.withApi(api);
    }
    ChaosProxy proxy = ChaosProxy.start(cfg);
    Map<String, String> ready = new LinkedHashMap<>();
    ready.put("api", proxy.apiUrl());
    ready.putAll(proxy.listeners());
    return ServerLifecycle.serveUntilStopped("chaos-proxy", proxy, ready, readyFile);
  }
}
