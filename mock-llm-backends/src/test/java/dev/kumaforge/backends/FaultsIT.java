package dev.kumaforge.backends;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.backends.config.BackendsConfig;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each fault type observed as configured, and the ledger matching what clients received. */
class FaultsIT {
  static final String CONFIG =
      """
      providers:
        - name: openai
          listen: 127.0.0.1:0
          models:
            - name: m
              output: {tokens: 4, text: a b c d}
            - name: other
        - name: anthropic
          style: anthropic
          listen: 127.0.0.1:0
          models:
            - name: claude
              output: {tokens: 4, text: a b c d}
      """;

  static MockBackends backends;
  static String openai;
  static String anthropic;

  @BeforeAll
  static void start() {
    backends = MockBackends.start(BackendsConfig.parse(CONFIG, "test"));
    openai = backends.listeners().get("openai");
    anthropic = backends.listeners().get("anthropic");
  }

  @AfterAll
  static void stop() {
    backends.close();
  }

  @BeforeEach
  void reset() {
    Http.post(openai + "/admin/reset", "", Map.of());
    Http.post(anthropic + "/admin/reset", "", Map.of());
  }

  static void fault(String base, String json) {
    HttpResponse<String> res = Http.send("PUT", base + "/admin/faults", json, Map.of());
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
  }

  static HttpResponse<String> chat(boolean stream) {
    return chat("m", stream);
  }

  static HttpResponse<String> chat(String model, boolean stream) {
    String body =
        "{\"model\":\""
            + model
            + "\",\"stream\":"
            + stream
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    return Http.post(openai + "/v1/chat/completions", body, Http.openAi("k"));
  }

  static HttpResponse<String> message(boolean stream) {
    String body =
        "{\"model\":\"claude\",\"max_tokens\":10,\"stream\":"
            + stream
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    return Http.post(
        anthropic + "/v1/messages",
        body,
        Map.of("x-api-key", "k", "anthropic-version", "2023-06-01"));
  }

  static JsonNode totals(String base) {
    return Http.json(Http.get(base + "/admin/stats")).get("totals");
  }

  @Test
  void errorFaultsUseEachProvidersShape() {
    fault(openai, "{\"type\":\"error\",\"status\":429}");
    HttpResponse<String> r = chat(false);
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.headers().firstValue("retry-after")).hasValue("1");
    assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
    assertThat(Http.json(r).get("error").get("code").asText()).isEqualTo("rate_limit_exceeded");
    fault(openai, "{\"type\":\"error\",\"status\":503}");
    assertThat(chat(true).statusCode()).isEqualTo(503);

    fault(anthropic, "{\"type\":\"error\",\"status\":529}");
    HttpResponse<String> a = message(false);
    assertThat(a.statusCode()).isEqualTo(529);
    assertThat(Http.json(a).get("error").get("type").asText()).isEqualTo("overloaded_error");
    assertThat(totals(openai).get("errors").asInt()).isEqualTo(2);
  }

  @Test
  void faultsCanTargetOneModel() {
    fault(openai, "{\"type\":\"error\",\"status\":500,\"model\":\"other\"}");
    assertThat(chat("m", false).statusCode()).isEqualTo(200);
    assertThat(chat("other", false).statusCode()).isEqualTo(500);
  }

  @Test
  void errorRateIsSeededAndApproximatelyHonoured() {
    fault(openai, "{\"type\":\"error\",\"status\":500,\"rate\":0.25}");
    int errors = 0;
    for (int i = 0; i < 200; i++) {
      if (chat(false).statusCode() == 500) {
        errors++;
      }
    }
    assertThat(errors).isBetween(25, 75);
    assertThat(totals(openai).get("errors").asInt()).isEqualTo(errors);
    assertThat(totals(openai).get("completion_tokens").asInt()).isEqualTo((200 - errors) * 4);
  }

  @Test
  void midStreamErrorSendsAnErrorFrameAndNoDone() {
    fault(openai, "{\"type\":\"midStreamError\",\"afterTokens\":2}");
    HttpResponse<String> r = chat(true);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"error\"").doesNotContain("[DONE]");
    assertThat(count(r.body(), "\"content\":\"")).isEqualTo(3); // role chunk + 2 tokens

    fault(anthropic, "{\"type\":\"midStreamError\",\"afterTokens\":1}");
    HttpResponse<String> a = message(true);
    assertThat(a.body()).contains("event: error").contains("overloaded_error");
    assertThat(a.body()).doesNotContain("message_stop");
    JsonNode t = totals(openai);
    assertThat(t.get("errors").asInt()).isEqualTo(1);
    assertThat(t.get("completion_tokens").asInt()).isEqualTo(2);
  }

  @Test
  void truncateClosesTheStreamWithoutTerminator() {
    fault(openai, "{\"type\":\"truncate\",\"afterTokens\":2}");
    assertThatThrownBy(() -> chat(true)).isInstanceOf(java.io.UncheckedIOException.class);
    fault(anthropic, "{\"type\":\"truncate\",\"afterTokens\":1}");
    assertThatThrownBy(() -> message(true)).isInstanceOf(java.io.UncheckedIOException.class);
    assertThat(totals(openai).get("completion_tokens").asInt()).isEqualTo(2);
  }

  @Test
  void malformedChunkIsNotJson() {
    fault(openai, "{\"type\":\"malformedChunk\",\"afterTokens\":1}");
    HttpResponse<String> r = chat(true);
    assertThat(r.body()).contains("\"delta\":\n\n").endsWith("data: [DONE]\n\n");
    HttpResponse<String> whole = chat(false);
    assertThat(whole.statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> Http.json(whole)).isInstanceOf(java.io.UncheckedIOException.class);
  }

  @Test
  void resetClosesTheConnection() {
    fault(openai, "{\"type\":\"reset\"}");
    assertThatThrownBy(() -> chat(false)).isInstanceOf(java.io.UncheckedIOException.class);
    Http.send("DELETE", openai + "/admin/faults", null, Map.of());
    assertThat(chat(false).statusCode()).isEqualTo(200);
  }

  @Test
  void latencyAndStallsDelayTheAnswer() {
    fault(
        openai,
        "[{\"type\":\"latency\",\"duration\":\"150ms\"},"
            + "{\"type\":\"stallMidStream\",\"duration\":\"150ms\",\"afterTokens\":2}]");
    long start = System.nanoTime();
    HttpResponse<String> r = chat(true);
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.body()).endsWith("data: [DONE]\n\n");
    assertThat(ms).isGreaterThanOrEqualTo(280); // lower bound only
    fault(anthropic, "{\"type\":\"stallBeforeHeaders\",\"duration\":\"200ms\"}");
    start = System.nanoTime();
    assertThat(message(false).statusCode()).isEqualTo(200);
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(190);
  }

  @Test
  void slowHeadersTrickleTheHeadInManyPiecesOverTheDuration() throws Exception {
    fault(openai, "{\"type\":\"slowHeaders\",\"duration\":\"300ms\"}");
    java.net.URI uri = java.net.URI.create(openai);
    try (java.net.Socket s = new java.net.Socket(uri.getHost(), uri.getPort())) {
      s.setTcpNoDelay(true);
      String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      s.getOutputStream()
          .write(
              ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n"
                      + "Content-Type: application/json\r\nContent-Length: "
                      + body.length()
                      + "\r\n\r\n"
                      + body)
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      java.io.InputStream in = s.getInputStream();
      StringBuilder head = new StringBuilder();
      byte[] buf = new byte[8192];
      int reads = 0;
      long start = System.nanoTime();
      long firstByte = -1;
      while (!head.toString().contains("\r\n\r\n")) {
        int n = in.read(buf);
        assertThat(n).as("connection open while the head trickles").isPositive();
        if (firstByte < 0) {
          firstByte = System.nanoTime() - start;
        }
        head.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII));
        reads++;
      }
      long complete = System.nanoTime() - start;
      assertThat(head.toString()).startsWith("HTTP/1.1 200 OK");
      // many separate arrivals, not one stall followed by the whole head
      assertThat(reads).isGreaterThan(5);
      assertThat(complete - firstByte).isGreaterThanOrEqualTo(200_000_000L); // lower bound only
    }
    Http.send("DELETE", openai + "/admin/faults", null, Map.of());
    assertThat(chat(false).statusCode()).isEqualTo(200);
  }

  @Test
  void faultsFromYamlAreActiveAtStartUp() {
    String yaml =
        CONFIG.replace(
            "    models:\n      - name: m",
            "    faults: [{type: error, status: 503}]\n    models:\n      - name: m");
    assertThat(yaml).contains("faults:");
    try (MockBackends b = MockBackends.start(BackendsConfig.parse(yaml, "test"))) {
      String url = b.listeners().get("openai") + "/v1/chat/completions";
      String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      assertThat(Http.post(url, body, Http.openAi("k")).statusCode()).isEqualTo(503);
    }
  }

  private static int count(String s, String sub) {
    int n = 0;
    for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
      n++;
    }
    return n;
  }
}
