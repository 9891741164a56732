package dev.kumaforge.backends;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kumaforge.backends.config.BackendsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * h2c with prior knowledge on a provider listener, with Netty's HTTP/2 client: the same answers,
 * streams and faults as over HTTP/1.1, many streams on one connection, a cut as RST_STREAM.
 */
class H2cIT {
  static final String CONFIG =
      """
      providers:
        - name: openai
          listen: 127.0.0.1:0
          models:
            - name: m
              output: {tokens: 4, text: a b c d}
            - name: slow
              latency: {interToken: 50ms}
              output: {tokens: 100, text: one two three}
      """;

  static MockBackends backends;
  static String openai;

  @BeforeAll
  static void start() {
    backends = MockBackends.start(BackendsConfig.parse(CONFIG, "test"));
    openai = backends.listeners().get("openai");
  }

  @AfterAll
  static void stop() {
    backends.close();
  }

  @BeforeEach
  void reset() {
    Http.post(openai + "/admin/reset", "", Map.of());
  }

  static String chat(String model, boolean stream) {
    return "{\"model\":\""
        + model
        + "\",\"stream\":"
        + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  static String metric(String name) {
    for (String line : Http.get(openai + "/metrics").body().split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        return line.substring(line.lastIndexOf(' ') + 1);
      }
    }
    return "";
  }

  static double metricValue(String nameAndLabels) {
    for (String line : Http.get(openai + "/metrics").body().split("\n")) {
      if (line.startsWith(nameAndLabels + " ")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }

  @Test
  void aChatCompletionAndAStreamOverH2c() throws Exception {
    try (H2Client c = new H2Client(openai)) {
      H2Client.Result whole =
          c.send("POST", "/v1/chat/completions", chat("m", false), Http.openAi("k")).await();
      assertThat(whole.status()).isEqualTo(200);
      assertThat(whole.reset()).isFalse();
      assertThat(Http.JSON.readTree(whole.body()).at("/choices/0/message/content").asText())
          .isEqualTo("a b c d");
      assertThat(whole.headers().get("transfer-encoding")).isNull();
      H2Client.Result sse =
          c.send("POST", "/v1/chat/completions", chat("m", true), Http.openAi("k")).await();
      assertThat(sse.status()).isEqualTo(200);
      assertThat(sse.headers().get("content-type").toString()).startsWith("text/event-stream");
      assertThat(sse.body()).contains("\"content\":\"a\"").endsWith("data: [DONE]\n\n");
      // errors keep the provider's shape
      H2Client.Result missing = c.send("GET", "/v1/nothing", null, Http.openAi("k")).await();
      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.body()).contains("unknown_url");
    }
    assertThat(metricValue("forge_backend_connections_total{protocol=\"h2c\",provider=\"openai\"}"))
        .isEqualTo(1);
    assertThat(metricValue("forge_backend_h2_streams_total{provider=\"openai\"}")).isEqualTo(3);
    assertThat(FaultsIT.totals(openai).get("requests").asInt()).isEqualTo(2); // not the 404
  }

  @Test
  void manyConcurrentStreamsShareOneConnection() throws Exception {
    try (H2Client c = new H2Client(openai)) {
      List<H2Client.Stream> streams = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        streams.add(c.send("POST", "/v1/chat/completions", chat("m", true), Http.openAi("k")));
      }
      for (H2Client.Stream s : streams) {
        H2Client.Result r = s.await();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).endsWith("data: [DONE]\n\n");
      }
    }
    assertThat(metricValue("forge_backend_connections_total{protocol=\"h2c\",provider=\"openai\"}"))
        .isEqualTo(1);
    assertThat(metricValue("forge_backend_h2_streams_total{provider=\"openai\"}")).isEqualTo(200);
  }

  @Test
  void aTruncatedStreamIsResetAndTheConnectionServesOn() throws Exception {
    FaultsIT.fault(openai, "{\"type\":\"truncate\",\"afterTokens\":2,\"model\":\"m\"}");
    try (H2Client c = new H2Client(openai)) {
      H2Client.Result cut =
          c.send("POST", "/v1/chat/completions", chat("m", true), Http.openAi("k")).await();
      assertThat(cut.reset()).isTrue();
      assertThat(cut.status()).isEqualTo(200);
      assertThat(cut.body()).contains("\"content\":\" b\"").doesNotContain("[DONE]");
      Http.send("DELETE", openai + "/admin/faults", null, Map.of());
      H2Client.Result next =
          c.send("POST", "/v1/chat/completions", chat("m", true), Http.openAi("k")).await();
      assertThat(next.reset()).isFalse();
      assertThat(next.body()).endsWith("data: [DONE]\n\n");
    }
    assertThat(FaultsIT.totals(openai).get("completion_tokens").asInt()).isEqualTo(2 + 4);
    assertThat(metricValue("forge_backend_connections_total{protocol=\"h2c\",provider=\"openai\"}"))
        .isEqualTo(1);
  }

  @Test
  void slowHeadersHoldTheHeadersFrame() throws Exception {
    FaultsIT.fault(openai, "{\"type\":\"slowHeaders\",\"duration\":\"300ms\"}");
    try (H2Client c = new H2Client(openai)) {
      long t0 = System.nanoTime();
      H2Client.Result r =
          c.send("POST", "/v1/chat/completions", chat("m", false), Http.openAi("k")).await();
      assertThat(r.status()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofMillis(290));
    }
  }

  @Test
  void aClientResetFreesTheGenerationAndIsCounted() throws Exception {
    try (H2Client c = new H2Client(openai)) {
      H2Client.Stream s =
          c.send("POST", "/v1/chat/completions", chat("slow", true), Http.openAi("k"));
      await().atMost(Duration.ofSeconds(5)).until(() -> s.body.toString().contains("\"content\""));
      assertThat(metricValue("forge_backend_open_h2_streams{provider=\"openai\"}")).isEqualTo(1);
      s.cancel();
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> {
                assertThat(metricValue("forge_backend_h2_streams_reset_total{provider=\"openai\"}"))
                    .isEqualTo(1);
                assertThat(metricValue("forge_backend_open_h2_streams{provider=\"openai\"}"))
                    .isEqualTo(0);
                assertThat(
                        metricValue(
                            "forge_backend_active_sequences{model=\"slow\",provider=\"openai\"}"))
                    .isEqualTo(0);
              });
    }
  }

  @Test
  void http1StillWorksOnTheSameListener() throws Exception {
    java.net.URI u = java.net.URI.create(openai);
    try (java.net.Socket s = new java.net.Socket(u.getHost(), u.getPort())) {
      s.getOutputStream()
          .write(
              "GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n"
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] head = s.getInputStream().readNBytes(15);
      assertThat(new String(head, java.nio.charset.StandardCharsets.US_ASCII))
          .isEqualTo("HTTP/1.1 200 OK");
    }
    assertThat(
            metricValue("forge_backend_connections_total{protocol=\"http1\",provider=\"openai\"}"))
        .isGreaterThanOrEqualTo(1);
  }
}
