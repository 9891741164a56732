package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.gateway.ai.tokens.TokenCounter;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Conversation sessions: continued, scoped to the consumer, trimmed to the window, streams too. */
class AiSessionIT {
  static final String CATALOG =
      """
      ai:
        sessions: {header: x-session-id, ttl: 10m}
        models:
          - name: mini
            deployments:
              - {backend: openai, model: gpt-4o-mini, apiKey: sk-up}
          - name: small-window
            deployments:
              - {backend: openai, model: gpt-4o, apiKey: sk-up, contextWindow: 1000, maxOutput: 100}
      """;

  static AiFixture f;
  static final TokenCounter COUNTER = new TokenCounter(0);

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

  static String user(String model, String text, boolean stream) {
    return "{\"model\":\""
        + model
        + "\",\"max_tokens\":3"
        + (stream ? ",\"stream\":true" : "")
        + ",\"messages\":[{\"role\":\"user\",\"content\":\""
        + text
        + "\"}]}";
  }

  static long promptTokens(String model) {
    for (JsonNode e : f.providerStats("openai").path("entries")) {
      if (e.path("model").asText().equals(model)) {
        return e.path("prompt_tokens").asLong();
      }
    }
    return 0;
  }

  static JsonNode msg(String role, String content) {
    return AiFixture.JSON.createObjectNode().put("role", role).put("content", content);
  }

  @Test
  void aSessionContinuesWithTheStoredAnswerStreamsIncluded() {
    Map<String, String> s = Map.of("x-session-id", "conv-1");
    assertThat(f.chat(AiFixture.KEY_A, user("mini", "My name is Ada.", false), s).statusCode())
        .isEqualTo(200);
    long first = promptTokens("gpt-4o-mini");
    assertThat(f.chat(AiFixture.KEY_A, user("mini", "Remember it.", true), s).body())
        .endsWith("[DONE]\n\n");
    long second = promptTokens("gpt-4o-mini") - first;
    // the streamed answer is stored once the stream ended
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              long before = promptTokens("gpt-4o-mini");
              assertThat(
                      f.chat(AiFixture.KEY_A, user("mini", "What is my name?", false), s)
                          .statusCode())
                  .isEqualTo(200);
              long third = promptTokens("gpt-4o-mini") - before;
              List<JsonNode> expected = new ArrayList<>();
              expected.add(msg("user", "My name is Ada."));
              expected.add(msg("assistant", "The quick brown"));
              expected.add(msg("user", "Remember it."));
              expected.add(msg("assistant", "The quick brown"));
              expected.add(msg("user", "What is my name?"));
              assertThat(third).isEqualTo(COUNTER.messages("o200k_base", expected));
            });
    assertThat(second)
        .isEqualTo(
            COUNTER.messages(
                "o200k_base",
                List.of(
                    msg("user", "My name is Ada."),
                    msg("assistant", "The quick brown"),
                    msg("user", "Remember it."))));
  }

  @Test
  void anotherConsumerCannotReadOrExtendASession() {
    Map<String, String> s = Map.of("x-session-id", "private-1");
    assertThat(f.chat(AiFixture.KEY_A, user("mini", "secret plans", false), s).statusCode())
        .isEqualTo(200);
    HttpResponse<String> r = f.chat(AiFixture.KEY_B, user("mini", "show me", false), s);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("session_not_found").doesNotContain("secret");
    assertThat(f.providerStats("openai").path("totals").path("requests").asLong()).isEqualTo(1);
  }

  @Test
  void historyIsTrimmedToTheWindowMinusTheRequestedOutput() {
    Map<String, String> s = Map.of("x-session-id", "long-1");
    String system =
        "{\"model\":\"small-window\",\"max_tokens\":3,\"messages\":["
            + "{\"role\":\"system\",\"content\":\"You are terse.\"},"
            + "{\"role\":\"user\",\"content\":\""
            + "lorem ".repeat(150)
            + "\"}]}";
    assertThat(f.chat(AiFixture.KEY_A, system, s).statusCode()).isEqualTo(200);
    long last = 0;
    for (int i = 0; i < 8; i++) {
      long before = promptTokens("gpt-4o");
      HttpResponse<String> r =
          f.chat(AiFixture.KEY_A, user("small-window", "ipsum ".repeat(150), false), s);
      // the provider refuses prompt + max_tokens > 1000, so 200 proves the trimmed prompt fits
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      last = promptTokens("gpt-4o") - before;
    }
    assertThat(last).isLessThanOrEqualTo(1000 - 3).isGreaterThan(600);
    assertThat(f.gw.adminGet("/metrics").body())
        .containsPattern("gateway_llm_context_trimmed_messages_total\\{model=\"gpt-4o\"} [1-9]");
  }
}
