package dev.kumaforge.backends;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.backends.config.BackendsConfig;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RPM/TPM limits per API key, with each provider's headers and 429 shape. */
class RateLimitIT {
  static final String CONFIG =
      """
      providers:
        - name: openai
          listen: 127.0.0.1:0
          limits: {rpm: 3}
          models: [{name: m, output: {tokens: 2}}]
        - name: anthropic
          style: anthropic
          listen: 127.0.0.1:0
          limits: {tpm: 100}
          models: [{name: claude, output: {tokens: 2}}]
      """;

  @Test
  void requestsPerMinutePerKey() {
    try (MockBackends b = MockBackends.start(BackendsConfig.parse(CONFIG, "test"))) {
      String url = b.listeners().get("openai") + "/v1/chat/completions";
      String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> ok = Http.post(url, body, Http.openAi("key-a"));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
        assertThat(ok.headers().firstValue("x-ratelimit-remaining-requests"))
            .hasValue(Integer.toString(2 - i));
      }
      HttpResponse<String> limited = Http.post(url, body, Http.openAi("key-a"));
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().firstValue("retry-after")).isPresent();
      assertThat(limited.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
      assertThat(Http.json(limited).get("error").get("code").asText())
          .isEqualTo("rate_limit_exceeded");
      assertThat(Http.json(limited).get("error").get("type").asText()).isEqualTo("requests");
      assertThat(Http.post(url, body, Http.openAi("key-b")).statusCode()).isEqualTo(200);
      Http.post(b.listeners().get("openai") + "/admin/reset", "", Map.of());
      assertThat(Http.post(url, body, Http.openAi("key-a")).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void tokensPerMinuteCountPromptAndMaxTokens() {
    try (MockBackends b = MockBackends.start(BackendsConfig.parse(CONFIG, "test"))) {
      String url = b.listeners().get("anthropic") + "/v1/messages";
      String body =
          "{\"model\":\"claude\",\"max_tokens\":40,"
              + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      Map<String, String> h = Map.of("x-api-key", "k", "anthropic-version", "2023-06-01");
      HttpResponse<String> first = Http.post(url, body, h);
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.headers().firstValue("anthropic-ratelimit-tokens-limit")).hasValue("100");
      // prompt = 1 token + 3 framing; cost = 4 + 40 = 44 -> 56 left
      assertThat(first.headers().firstValue("anthropic-ratelimit-tokens-remaining").orElseThrow())
          .isIn("56", "57"); // the bucket refills continuously
      assertThat(Http.post(url, body, h).statusCode()).isEqualTo(200);
      HttpResponse<String> limited = Http.post(url, body, h);
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().firstValue("retry-after")).isPresent();
      assertThat(Http.json(limited).get("error").get("type").asText())
          .isEqualTo("rate_limit_error");
    }
  }
}
