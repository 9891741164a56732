package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code protocol: h2c} to the mock providers (which speak h2c with prior knowledge): many
 * concurrent streams over a few upstream connections, a try timeout resetting only its stream, a
 * plain (non-LLM) route, and an upstream that speaks only HTTP/1.1. The providers' metrics count
 * the TCP connections per protocol and the streams the gateway reset. Cancellation, faults and
 * golden streams over h2c: {@link AiPromptH2cIT}, {@link AiFallbackH2cIT}, {@link
 * AiTranslationH2cIT}.
 */
class H2cUpstreamIT {
  /** The backend lines that make the AI fixture's backends speak h2c. */
  static final String H2C = "    protocol: h2c\n";

  static final String PROVIDERS =
      """
      seed: 1
      providers:
        - name: openai
          listen: 127.0.0.1:0
          models:
            - name: gpt-4o-mini
              output: {tokens: 4, text: The quick brown fox}
            - name: gpt-slow
              latency: {prefillOverhead: 100ms, interToken: 20ms}
              output: {tokens: 20, text: A slow answer that takes a while}
              concurrency: {slots: 1000}
            - name: gpt-late
              latency: {prefillOverhead: 3s}
              output: {tokens: 2, text: Too late}
        - name: anthropic
          style: anthropic
          listen: 127.0.0.1:0
          models:
            - name: claude-haiku-4-5
              output: {tokens: 4, text: The quick brown fox}
      """;

  static final String CATALOG =
      """
      ai:
        models:
          - name: mini
            deployments:
              - {backend: openai, model: gpt-4o-mini, apiKey: sk-up}
          - name: slow
            deployments:
              - {backend: openai, model: gpt-slow, apiKey: sk-up}
          - name: late
            deployments:
              - {backend: openai, model: gpt-late, apiKey: sk-up}
      """;

  static AiFixture f;

  @BeforeAll
  static void start() {
    f =
        new AiFixture(
            PROVIDERS, "", CATALOG, H2C + "    connectionPool: {maxConcurrentStreams: 20}\n");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @BeforeEach
  void reset() {
    f.resetProviders();
  }

  /**
   * The value of provider {@code provider}'s metric {@code name} (with {@code protocol} label when
   * given), or -1 when absent.
   */
  static double metric(AiFixture f, String provider, String name, String... protocol) {
    String body =
        f.send("GET", f.backends.listeners().get(provider) + "/metrics", null, Map.of()).body();
    for (String line : body.split("\n")) {
      if (line.startsWith(name + "{")
          && line.contains("provider=\"" + provider + "\"")
          && (protocol.length == 0 || line.contains("protocol=\"" + protocol[0] + "\""))) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }

  static String ask(String model, boolean stream) {
    return "{\"model\":\""
        + model
        + "\",\"stream\":"
        + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  @Test
  void aChatAndAStreamGoUpstreamOverH2c() {
    HttpResponse<String> whole = f.chat(AiFixture.KEY_A, ask("mini", false));
    assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
    assertThat(AiFixture.parse(whole.body()).at("/choices/0/message/content").asText())
        .isEqualTo("The quick brown fox");
    assertThat(whole.headers().firstValue("x-http2-stream-id")).isEmpty();
    HttpResponse<String> sse = f.chat(AiFixture.KEY_A, ask("mini", true));
    assertThat(sse.statusCode()).isEqualTo(200);
    assertThat(sse.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    assertThat(sse.body()).contains("\"content\":\" brown\"").endsWith("data: [DONE]\n\n");
    assertThat(metric(f, "openai", "forge_backend_h2_streams_total")).isEqualTo(2);
    assertThat(f.providerStats("openai").path("totals").path("requests").asInt()).isEqualTo(2);
  }

  @Test
  void manyConcurrentStreamsShareAFewUpstreamConnections() throws Exception {
    assertThat(f.chat(AiFixture.KEY_A, ask("mini", false)).statusCode()).isEqualTo(200);
    f.resetProviders(); // one connection is open and counted no more
    int n = 100;
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      HttpRequest r =
          HttpRequest.newBuilder(URI.create(f.gw.url("/v1/chat/completions")))
              .timeout(Duration.ofSeconds(30))
              .header("authorization", "Bearer " + AiFixture.KEY_A)
              .header("content-type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(ask("slow", true)))
              .build();
      calls.add(f.client.sendAsync(r, HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> c : calls) {
      HttpResponse<String> r = c.get(30, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).endsWith("data: [DONE]\n\n");
    }
    assertThat(f.providerStats("openai").path("totals").path("requests").asInt()).isEqualTo(n);
    assertThat(metric(f, "openai", "forge_backend_h2_streams_total")).isEqualTo(n);
    // 100 streams at 20 per connection (maxConcurrentStreams): the open one took 20, 4 new ones
    // the other 80 (not one per stream, and not all 100 on the first)
    assertThat(metric(f, "openai", "forge_backend_connections_total", "h2c")).isBetween(2.0, 4.0);
    String gauge = "gateway_upstream_connections{backend=\"openai\",protocol=\"h2c\"} ";
    String metrics = f.gw.adminGet("/metrics").body();
    assertThat(metrics).contains(gauge);
    String value = metrics.substring(metrics.indexOf(gauge) + gauge.length()).split("\n")[0];
    assertThat(Double.parseDouble(value)).isBetween(3.0, 5.0);
  }

  @Test
  void aTryTimeoutResetsItsStreamAndKeepsTheConnection() {
    String yaml =
        """
        backends:
          - name: openai
            protocol: h2c
            endpoints: [{address: "%s"}]
            retry: {perTryTimeout: 1s}
        routes:
          - name: plain
            matches: [{path: {type: PathPrefix, value: /v1}}]
            backendRefs: [{name: openai}]
        """
            .formatted(f.hostPort("openai"));
    Map<String, String> h = Map.of("authorization", "Bearer k", "content-type", "application/json");
    try (GatewayFixture gw = new GatewayFixture(yaml)) {
      HttpResponse<String> late =
          f.send("POST", gw.url("/v1/chat/completions"), ask("gpt-late", false), h);
      assertThat(late.statusCode()).as(late.body()).isEqualTo(504);
      assertThat(late.body()).contains("\"code\":\"read_timeout\"");
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(3))
          .untilAsserted(
              () -> {
                assertThat(metric(f, "openai", "forge_backend_h2_streams_reset_total"))
                    .isEqualTo(1);
                assertThat(metric(f, "openai", "forge_backend_open_h2_streams")).isZero();
              });
      HttpResponse<String> ok =
          f.send("POST", gw.url("/v1/chat/completions"), ask("gpt-4o-mini", false), h);
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    }
    // the reset cancelled one stream only: both requests used the gateway's one connection
    assertThat(metric(f, "openai", "forge_backend_connections_total", "h2c")).isEqualTo(1);
  }

  @Test
  void anAbandonedLlmTryResetsItsStream() {
    assertThat(f.chat(AiFixture.KEY_A, ask("mini", false)).statusCode()).isEqualTo(200);
    f.resetProviders();
    HttpResponse<String> r = f.chat(AiFixture.KEY_A, ask("late", false));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(502); // the only deployment failed
    assertThat(r.body()).contains("no content within PT2S");
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(3))
        .untilAsserted(
            () -> {
              assertThat(metric(f, "openai", "forge_backend_h2_streams_reset_total")).isEqualTo(1);
              assertThat(metric(f, "openai", "forge_backend_open_h2_streams")).isZero();
            });
    assertThat(f.chat(AiFixture.KEY_A, ask("mini", false)).statusCode()).isEqualTo(200);
    assertThat(metric(f, "openai", "forge_backend_connections_total", "h2c")).isZero();
  }

  /** A gateway with one plain (non-LLM) route {@code name} on {@code prefix} to openai over h2c. */
  private static String plainRoute(String name, String prefix) {
    return """
        backends:
          - name: openai
            protocol: h2c
            endpoints: [{address: "%s"}]
        routes:
          - name: %s
            matches: [{path: {type: PathPrefix, value: %s}}]
            backendRefs: [{name: openai}]
        """
        .formatted(f.hostPort("openai"), name, prefix);
  }

  @Test
  void aPlainRouteProxiesOverH2c() {
    String yaml = plainRoute("health", "/health");
    try (GatewayFixture gw = new GatewayFixture(yaml)) {
      HttpResponse<String> r = gw.get("/health/ready");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("{\"status\":\"ready\"}");
      assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    }
    assertThat(metric(f, "openai", "forge_backend_connections_total", "h2c")).isEqualTo(1);
  }

  /**
   * A plain (non-LLM) route passes each upstream stream through whole: with the pinned loops the
   * response body is read on the same loop as the client's connection, so every chunk must cross
   * without a thread hand-off and without being lost or reordered.
   */
  @Test
  void streamsOnAPlainRouteArriveWholeAndInOrder() throws Exception {
    String yaml = plainRoute("v1", "/v1");
    try (GatewayFixture gw = new GatewayFixture(yaml)) {
      // what the provider sends for each model, read directly (HTTP/1.1, the same deltas)
      Map<String, List<String>> direct =
          Map.of(
              "gpt-slow", deltas(stream(gw, "http://" + f.hostPort("openai"), "gpt-slow").body()),
              "gpt-4o-mini",
                  deltas(stream(gw, "http://" + f.hostPort("openai"), "gpt-4o-mini").body()));
      assertThat(direct.get("gpt-slow")).hasSize(21); // the role delta and 20 tokens
      List<String> models = new ArrayList<>();
      List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String model = i % 2 == 0 ? "gpt-slow" : "gpt-4o-mini";
        models.add(model);
        sent.add(
            gw.client.sendAsync(request(gw.url(""), model), HttpResponse.BodyHandlers.ofString()));
      }
      for (int i = 0; i < sent.size(); i++) {
        HttpResponse<String> r = sent.get(i).get(30, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(deltas(r.body())).as(r.body()).isEqualTo(direct.get(models.get(i)));
        assertThat(r.body()).endsWith("data: [DONE]\n\n");
      }
    }
  }

  private static HttpRequest request(String base, String model) {
    return HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
        .header("content-type", "application/json")
        .header("authorization", "Bearer sk-up")
        .POST(HttpRequest.BodyPublishers.ofString(ask(model, true)))
        .build();
  }

  private static HttpResponse<String> stream(GatewayFixture gw, String base, String model)
      throws Exception {
    return gw.client.send(request(base, model), HttpResponse.BodyHandlers.ofString());
  }

  /** The content deltas of an SSE answer, in order. */
  private static List<String> deltas(String sse) {
    List<String> out = new ArrayList<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"content\":\"([^\"]*)\"").matcher(sse);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void anUpstreamThatSpeaksOnlyHttp1IsAConnectError() throws Exception {
    try (TestUpstream http1 = new TestUpstream("http1")) {
      String yaml =
          """
          backends:
            - name: old
              protocol: h2c
              endpoints: [{address: "%s"}]
          routes:
            - name: old
              backendRefs: [{name: old}]
          """
              .formatted(http1.address());
      try (GatewayFixture gw = new GatewayFixture(yaml)) {
        HttpResponse<String> r = gw.get("/anything");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
        assertThat(AiFixture.parse(r.body()).at("/error/code").asText()).isEqualTo("connect_error");
        assertThat(AiFixture.parse(r.body()).at("/error/message").asText())
            .as(r.body())
            .contains("HTTP/2");
        assertThat(gw.adminGet("/metrics").body())
            .contains("gateway_upstream_failures_total{backend=\"old\",kind=\"connect_error\"}");
      }
    }
  }
}
