package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.gateway.ai.tokens.TokenCounter;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Two gateway replicas continue one conversation through a real Redis. */
class AiRedisSessionIT {
  @Test
  @SuppressWarnings(
      "try") // Redis is stopped on purpose mid-test; try-with-resources closes it again
  void twoReplicasShareSessionsThroughRedis() {
    try (RedisServer redis = RedisServer.start()) {
      String catalog =
          """
          ai:
            sessions: {store: redis, redis: {uri: "%s"}, ttl: 5m}
            models:
              - name: mini
                deployments:
                  - {backend: openai, model: gpt-4o-mini, apiKey: sk-up}
          """
              .formatted(redis.uri());
      try (AiFixture f = new AiFixture("", catalog)) {
        // the replica's config hashes the same keys with other salts: both verify
        try (GatewayFixture replica = new GatewayFixture(f.gatewayYaml("", catalog))) {
          Map<String, String> s = Map.of("x-session-id", "shared-1");
          assertThat(f.chat(AiFixture.KEY_A, userMini("I like tea."), s).statusCode())
              .isEqualTo(200);
          long before = prompt(f);
          HttpResponse<String> r =
              f.send(
                  "POST",
                  replica.url("/v1/chat/completions"),
                  userMini("What do I like?"),
                  Map.of(
                      "Authorization", "Bearer " + AiFixture.KEY_A,
                      "x-session-id", "shared-1",
                      "content-type", "application/json"));
          assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
          long second = prompt(f) - before;
          assertThat(second)
              .isEqualTo(
                  new TokenCounter(0)
                      .messages(
                          "o200k_base",
                          List.of(
                              AiSessionIT.msg("user", "I like tea."),
                              AiSessionIT.msg("assistant", "The quick brown"),
                              AiSessionIT.msg("user", "What do I like?"))));
          // the other consumer cannot use it on either replica
          assertThat(
                  f.send(
                          "POST",
                          replica.url("/v1/chat/completions"),
                          userMini("x"),
                          Map.of(
                              "Authorization",
                              "Bearer " + AiFixture.KEY_B,
                              "x-session-id",
                              "shared-1"))
                      .statusCode())
              .isEqualTo(404);
        }
        // Redis gone: an explicit 503, never a silent new conversation
        redis.close();
        HttpResponse<String> down =
            f.chat(AiFixture.KEY_A, userMini("still there?"), Map.of("x-session-id", "shared-1"));
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).contains("session_store_unavailable");
      }
    }
  }

  static long prompt(AiFixture f) {
    for (JsonNode e : f.providerStats("openai").path("entries")) {
      if (e.path("model").asText().equals("gpt-4o-mini")) {
        return e.path("prompt_tokens").asLong();
      }
    }
    return 0;
  }

  static String userMini(String text) {
    return AiSessionIT.user("mini", text, false);
  }
}
