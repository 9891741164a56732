package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Context trimming by summary: turns that no longer fit a small window are summarised by a cheaper
 * model through the gateway and replaced by the summary; a failing summarizer falls back to
 * dropping them.
 */
class AiSummaryIT {
  static final String CATALOG =
      """
      ai:
        sessions:
          header: x-session-id
          trimming: {strategy: summarize, summarizer: {model: mini, maxTokens: 16}}
        models:
          - name: mini
            deployments:
              - {backend: openai, model: gpt-4o-mini, apiKey: sk-up}
          - name: small-window
            deployments:
              - {backend: openai, model: gpt-4o, apiKey: sk-up, contextWindow: 1000, maxOutput: 100}
      """;

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
    f.send("DELETE", f.backends.listeners().get("openai") + "/admin/faults", null, Map.of());
  }

  static JsonNode entry(String model) {
    for (JsonNode e : f.providerStats("openai").path("entries")) {
      if (e.path("model").asText().equals(model)) {
        return e;
      }
    }
    return AiFixture.JSON.createObjectNode();
  }

  static double metric(String text, String series) {
    Matcher m = Pattern.compile(Pattern.quote(series) + " ([0-9.eE+-]+)").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /** A long conversation in a 1000-token window: 8 turns of about 150 tokens. */
  static void converse(String session) {
    Map<String, String> h = Map.of("x-session-id", session);
    String first =
        "{\"model\":\"small-window\",\"max_tokens\":3,\"messages\":["
            + "{\"role\":\"system\",\"content\":\"You are terse.\"},"
            + "{\"role\":\"user\",\"content\":\""
            + "lorem ".repeat(150)
            + "\"}]}";
    assertThat(f.chat(AiFixture.KEY_A, first, h).statusCode()).isEqualTo(200);
    for (int i = 0; i < 7; i++) {
      HttpResponse<String> r =
          f.chat(AiFixture.KEY_A, AiSessionIT.user("small-window", "ipsum ".repeat(150), false), h);
      // the provider refuses prompt + max_tokens > 1000: 200 proves the prompt fits
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
  }

  @Test
  void droppedTurnsAreSummarisedByTheCheaperModelAndTheSummaryIsKept() {
    double before = metric(f.gw.adminGet("/metrics").body(), summaries("ok"));
    converse("summary-1");
    String metrics = f.gw.adminGet("/metrics").body();
    double ok = metric(metrics, summaries("ok")) - before;
    assertThat(ok).as(metrics).isGreaterThanOrEqualTo(1);
    assertThat(metric(metrics, summaries("failed"))).isZero();
    // every summary was one request of the summarizer's model, paid by the consumer
    JsonNode mini = entry("gpt-4o-mini");
    assertThat(mini.path("requests").asDouble()).isEqualTo(ok);
    assertThat(mini.path("api_key").asText()).isEqualTo("sk-up");
    // the summarizer read the dropped turns (a dropped turn alone is about 150 tokens)
    assertThat(mini.path("prompt_tokens").asLong() / mini.path("requests").asLong())
        .isGreaterThan(150);
  }

  @Test
  void aFailingSummarizerFallsBackToDroppingTheTurns() {
    f.faults("openai", "{\"type\":\"error\",\"status\":500,\"model\":\"gpt-4o-mini\"}");
    double before = metric(f.gw.adminGet("/metrics").body(), summaries("failed"));
    converse("summary-2");
    String metrics = f.gw.adminGet("/metrics").body();
    assertThat(metric(metrics, summaries("failed")) - before).isGreaterThanOrEqualTo(1);
    assertThat(metrics)
        .containsPattern("gateway_llm_context_trimmed_messages_total\\{model=\"gpt-4o\"} [1-9]");
  }

  static String summaries(String result) {
    return "gateway_llm_context_summaries_total{result=\"" + result + "\"}";
  }
}
