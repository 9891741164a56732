package dev.kumaforge.chaos.experiment.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.kumaforge.chaos.ChaosProxy;
import dev.kumaforge.chaos.ChaosProxyConfig;
import dev.kumaforge.chaos.experiment.Action;
import dev.kumaforge.chaos.experiment.ActionType;
import dev.kumaforge.chaos.experiment.Probe;
import dev.kumaforge.chaos.experiment.ProbeType;
import dev.kumaforge.chaos.experiment.ToxicAction;
import dev.kumaforge.chaos.proxy.ProxySpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The built-in HTTP executors and probes against a real chaos proxy and a real HTTP server. */
class HttpActionsIT {
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final Map<ActionType, ActionExecutor> ex = new HttpActions(http).executors();

  static Action action(
      ActionType type,
      String api,
      String proxy,
      ToxicAction toxic,
      String url,
      List<Map<String, Object>> faults) {
    return new Action(type, api, proxy, toxic, url, faults, null, null, null, null, null, null);
  }

  @Test
  void toxicAndProxyActionsDriveTheChaosProxy() throws Exception {
    try (ChaosProxy chaos = ChaosProxy.start(ChaosProxyConfig.defaults().withEphemeralPorts())) {
      chaos.registry().create(new ProxySpec("a", null, "127.0.0.1:9", true));
      String api = chaos.apiUrl();
      ToxicAction latency = new ToxicAction("slow", "latency", null, null, Map.of("latency", 100L));
      ActionExecutor.Handle h =
          ex.get(ActionType.TOXIC).start(action(ActionType.TOXIC, api, "a", latency, null, null));
      assertThat(chaos.registry().toxic("a", "slow").attributes()).containsEntry("latency", 100L);
      h.stop();
      assertThat(chaos.registry().toxics("a")).isEmpty();

      ActionExecutor.Handle down =
          ex.get(ActionType.PROXY_DOWN)
              .start(action(ActionType.PROXY_DOWN, api, "a", null, null, null));
      assertThat(chaos.registry().get("a").enabled()).isFalse();
      Map<ProbeType, ProbeEvaluator> probes =
          new HttpProbes(http, Duration.ofSeconds(5)).evaluators();
      Probe enabled =
          new Probe(
              "up",
              ProbeType.METRIC,
              null,
              null,
              null,
              api + "/metrics",
              null,
              "chaos_proxy_enabled{proxy=\"a\"}",
              1.0,
              null,
              null);
      assertThat(probes.get(ProbeType.METRIC).evaluate(enabled).ok()).isFalse();
      down.stop();
      assertThat(chaos.registry().get("a").enabled()).isTrue();
      ProbeEvaluator.ProbeResult r = probes.get(ProbeType.METRIC).evaluate(enabled);
      assertThat(r.ok()).as(r.detail()).isTrue();
      assertThat(r.value()).isEqualTo(1.0);

      chaos.registry().update("a", null, null, false);
      ex.get(ActionType.PROXY_RESET)
          .start(action(ActionType.PROXY_RESET, api, null, null, null, null));
      assertThat(chaos.registry().get("a").enabled()).isTrue();

      Probe version =
          new Probe(
              "v",
              ProbeType.HTTP,
              null,
              null,
              null,
              api + "/version",
              null,
              null,
              null,
              null,
              null);
      assertThat(probes.get(ProbeType.HTTP).evaluate(version).ok()).isTrue();
      Probe missing =
          new Probe(
              "m",
              ProbeType.HTTP,
              null,
              null,
              null,
              api + "/nothing",
              null,
              null,
              null,
              null,
              null);
      assertThat(probes.get(ProbeType.HTTP).evaluate(missing).detail())
          .isEqualTo("status 404 (expected 200)");

      assertThatThrownBy(
              () ->
                  ex.get(ActionType.TOXIC)
                      .start(action(ActionType.TOXIC, api, "nope", latency, null, null)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("answered 404")
          .hasMessageContaining("proxy not found");
    }
  }

  @Test
  void backendFaultPutsAndClearsFaults() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    List<String> seen = new CopyOnWriteArrayList<>();
    server.createContext(
        "/admin/faults",
        x -> {
          seen.add(
              x.getRequestMethod()
                  + " "
                  + new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(200, body.length);
          x.getResponseBody().write(body);
          x.close();
        });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort();
      List<Map<String, Object>> faults = List.of(Map.of("type", "error", "status", 429));
      ActionExecutor.Handle h =
          ex.get(ActionType.BACKEND_FAULT)
              .start(action(ActionType.BACKEND_FAULT, Action.DEFAULT_API, null, null, url, faults));
      h.stop();
      assertThat(seen).hasSize(2);
      assertThat(seen.get(0)).startsWith("PUT {\"faults\":[{").contains("\"status\":429");
      assertThat(seen.get(1)).isEqualTo("DELETE ");
    } finally {
      server.stop(0);
    }
  }
}
