package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Ordered fallbacks under the mock providers' injected faults, and the routing strategies. */
class AiFallbackIT {
  static final String CATALOG =
      """
      ai:
        models:
          - name: chat
            deployments:
              - {backend: openai, model: gpt-4o-mini, apiKey: sk-up}
            fallbacks: [haiku]
          - name: haiku
            deployments:
              - {backend: anthropic, style: anthropic, model: claude-haiku-4-5, apiKey: sk-up,
                 encoding: cl100k_base, maxOutput: 1024, contextWindow: 200000}
          - name: big-context-last
            deployments:
              - {backend: openai, model: gpt-4o, apiKey: sk-up, contextWindow: 1000, maxOutput: 100}
              - {backend: openai, model: gpt-4o-mini, apiKey: sk-up}
          - name: cheapest
            strategy: lowestCost
            deployments:
              - {backend: openai, model: gpt-4o, apiKey: sk-up, price: {input: 2.5, output: 10}}
              - {backend: openai, model: gpt-4o-mini, apiKey: sk-up, price: {input: 0.15, output: 0.6}}
          - name: fastest
            strategy: lowestLatency
            deployments:
              - {backend: anthropic, style: anthropic, model: claude-haiku-4-5, apiKey: sk-up, maxOutput: 1024}
              - {backend: openai, model: gpt-4o-mini, apiKey: sk-up}
          - name: busy
            strategy: leastBusy
            deployments:
              - {backend: openai, model: gpt-long, apiKey: sk-up}
              - {backend: openai, model: gpt-4o-mini, apiKey: sk-up}
          - name: weighted
            strategy: weighted
            deployments:
              - {backend: openai, model: gpt-4o, apiKey: sk-up, weight: 0}
              - {backend: openai, model: gpt-4o-mini, apiKey: sk-up, weight: 5}
      """;

  static final String ASK =
      "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}],\"max_tokens\":3%s}";

  static AiFixture f;

  @BeforeAll
  static void start() {
    f = new AiFixture("", CATALOG);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @BeforeEach
  void reset() {
    f.resetProviders();
  }

  static String model(HttpResponse<String> r) {
    return AiFixture.parse(r.body()).path("model").asText();
  }

  @Test
  void serverErrorFallsBackToTheNextAlias() {
    f.faults("openai", "{\"type\":\"error\",\"status\":500}");
    HttpResponse<String> r = f.chat(AiFixture.KEY_A, ASK.formatted("chat", "hi", ""));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(model(r)).isEqualTo("claude-haiku-4-5");
    assertThat(f.gw.adminGet("/metrics").body())
        .contains(
            "gateway_llm_fallbacks_total{alias=\"chat\",from=\"openai/gpt-4o-mini\",reason=\"status_5xx\"} 1.0");
  }

  @Test
  void rateLimitFallsBack() {
    f.faults("openai", "{\"type\":\"error\",\"status\":429}");
    HttpResponse<String> r = f.chat(AiFixture.KEY_A, ASK.formatted("chat", "hi", ""));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(model(r)).isEqualTo("claude-haiku-4-5");
  }

  @Test
  void everyDeploymentFailingGivesTheLastErrorInOpenAiShape() {
    f.faults("openai", "{\"type\":\"error\",\"status\":500}");
    f.faults("anthropic", "{\"type\":\"error\",\"status\":529}");
    HttpResponse<String> r = f.chat(AiFixture.KEY_A, ASK.formatted("chat", "hi", ""));
    assertThat(r.statusCode()).isEqualTo(529);
    assertThat(AiFixture.parse(r.body()).path("error").path("message").asText())
        .startsWith("anthropic/claude-haiku-4-5: ");
  }

  @Test
  void contextLengthErrorFallsBackToALargerWindow() {
    String longText = "word ".repeat(1500);
    HttpResponse<String> r =
        f.chat(AiFixture.KEY_A, ASK.formatted("big-context-last", longText, ""));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(model(r)).isEqualTo("gpt-4o-mini");
    assertThat(f.gw.adminGet("/metrics").body()).contains("reason=\"context_length\"");
  }

  @Test
  void timeoutFallsBack() {
    f.faults("openai", "{\"type\":\"latency\",\"duration\":\"5s\"}");
    HttpResponse<String> r = f.chat(AiFixture.KEY_A, ASK.formatted("chat", "hi", ""));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(model(r)).isEqualTo("claude-haiku-4-5");
  }

  @Test
  void streamFailingBeforeItsFirstContentFallsBack() {
    f.faults("openai", "{\"type\":\"midStreamError\",\"afterTokens\":0}");
    HttpResponse<String> r =
        f.chat(AiFixture.KEY_A, ASK.formatted("chat", "hi", ",\"stream\":true"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"model\":\"claude-haiku-4-5\"").endsWith("data: [DONE]\n\n");
    assertThat(r.body()).doesNotContain("\"error\"");
  }

  @Test
  void truncatedStreamBeforeContentFallsBack() {
    f.faults("openai", "{\"type\":\"truncate\",\"afterTokens\":0}");
    HttpResponse<String> r =
        f.chat(AiFixture.KEY_A, ASK.formatted("chat", "hi", ",\"stream\":true"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"model\":\"claude-haiku-4-5\"").endsWith("data: [DONE]\n\n");
  }

  @Test
  void streamFailingAfterContentEndsWithAnErrorEventNeverDone() {
    f.faults("openai", "{\"type\":\"midStreamError\",\"afterTokens\":2}");
    HttpResponse<String> r =
        f.chat(AiFixture.KEY_A, ASK.formatted("chat", "hi", ",\"stream\":true"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"content\":\"The\"").doesNotContain("[DONE]");
    String last = r.body().strip().substring(r.body().strip().lastIndexOf("data: "));
    JsonNode error = AiFixture.parse(last.substring(6)).path("error");
    assertThat(error.path("code").asText()).isEqualTo("stream_failed");
  }

  @Test
  void truncatedStreamAfterContentEndsWithAnErrorEvent() {
    f.faults("anthropic", "{\"type\":\"truncate\",\"afterTokens\":2}");
    HttpResponse<String> r =
        f.chat(AiFixture.KEY_A, ASK.formatted("haiku", "hi", ",\"stream\":true"));
    assertThat(r.body()).contains("\"content\":\"The\"").doesNotContain("[DONE]");
    assertThat(r.body().strip()).endsWith("\"code\":\"stream_failed\"}}");
  }

  @Test
  void lowestCostPicksTheCheaperDeployment() {
    HttpResponse<String> r = f.chat(AiFixture.KEY_A, ASK.formatted("cheapest", "hi", ""));
    assertThat(model(r)).isEqualTo("gpt-4o-mini");
  }

  @Test
  void weightedNeverPicksWeightZeroFirst() {
    for (int i = 0; i < 5; i++) {
      assertThat(model(f.chat(AiFixture.KEY_A, ASK.formatted("weighted", "hi", ""))))
          .isEqualTo("gpt-4o-mini");
    }
  }

  @Test
  void leastBusyAvoidsTheDeploymentWithAStreamInFlight() throws Exception {
    java.net.http.HttpRequest req =
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(f.gw.url("/v1/chat/completions")))
            .header("Authorization", "Bearer " + AiFixture.KEY_A)
            .POST(
                java.net.http.HttpRequest.BodyPublishers.ofString(
                    ASK.formatted("busy", "hi", ",\"stream\":true").replace(":3,", ":900,")))
            .build();
    HttpResponse<java.io.InputStream> held =
        f.client.send(req, HttpResponse.BodyHandlers.ofInputStream());
    try (java.io.InputStream in = held.body()) {
      assertThat(new String(in.readNBytes(200), java.nio.charset.StandardCharsets.UTF_8))
          .contains("\"model\":\"gpt-long\"");
      // gpt-long has a stream in flight, gpt-4o-mini none
      assertThat(model(f.chat(AiFixture.KEY_A, ASK.formatted("busy", "hi", ""))))
          .isEqualTo("gpt-4o-mini");
    }
  }

  @Test
  void lowestLatencyLearnsTheFasterDeployment() {
    // the first requests explore deployments without a measurement, then the faster one wins
    for (int i = 0; i < 2; i++) {
      f.chat(AiFixture.KEY_A, ASK.formatted("fastest", "hi", ""));
    }
    for (int i = 0; i < 3; i++) {
      assertThat(model(f.chat(AiFixture.KEY_A, ASK.formatted("fastest", "hi", ""))))
          .isEqualTo("gpt-4o-mini");
    }
  }
}
