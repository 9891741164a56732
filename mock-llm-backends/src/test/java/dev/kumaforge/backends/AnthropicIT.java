package dev.kumaforge.backends;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.backends.config.BackendsConfig;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AnthropicIT {
  static final String CONFIG =
      """
      seed: 7
      providers:
        - name: anthropic
          style: anthropic
          listen: 127.0.0.1:0
          models:
            - name: claude-haiku-4-5
              encoding: cl100k_base
              contextWindow: 1000
              price: {input: 1.0, output: 5.0}
              latency: {prefillOverhead: 2ms}
              output: {tokens: 5, text: one two three four five six}
      """;

  static MockBackends backends;
  static String base;

  @BeforeAll
  static void start() {
    backends = MockBackends.start(BackendsConfig.parse(CONFIG, "test"));
    base = backends.listeners().get("anthropic");
  }

  @AfterAll
  static void stop() {
    backends.close();
  }

  static Map<String, String> headers(String key) {
    Map<String, String> h = new HashMap<>();
    h.put("x-api-key", key);
    h.put("anthropic-version", "2023-06-01");
    h.put("content-type", "application/json");
    return h;
  }

  static final String HELLO =
      "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":64,"
          + "\"system\":\"Be brief.\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";

  @Test
  void nonStreamingMessage() {
    HttpResponse<String> res = Http.post(base + "/v1/messages", HELLO, headers("sk-ant-1"));
    assertThat(res.statusCode()).isEqualTo(200);
    JsonNode body = Http.json(res);
    assertThat(body.get("type").asText()).isEqualTo("message");
    assertThat(body.get("role").asText()).isEqualTo("assistant");
    assertThat(body.get("content").get(0).get("type").asText()).isEqualTo("text");
    assertThat(body.get("content").get(0).get("text").asText())
        .isEqualTo("one two three four five");
    assertThat(body.get("stop_reason").asText()).isEqualTo("end_turn");
    // cl100k_base: "Be brief." = 3, "Say hello" = 2, plus 3 per message.
    assertThat(body.get("usage").get("input_tokens").asInt()).isEqualTo(8);
    assertThat(body.get("usage").get("output_tokens").asInt()).isEqualTo(5);
  }

  @Test
  void streamingFollowsTheRealEventSequence() {
    String req = HELLO.replace("\"max_tokens\":64", "\"max_tokens\":3,\"stream\":true");
    HttpResponse<String> res = Http.post(base + "/v1/messages", req, headers("sk-ant-1"));
    assertThat(res.statusCode()).isEqualTo(200);
    List<String> events = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    JsonNode messageDelta = null;
    String[] lines = res.body().split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].startsWith("event: ")) {
        continue;
      }
      String type = lines[i].substring(7);
      events.add(type);
      JsonNode data = Http.parse(lines[i + 1].substring(6));
      assertThat(data.get("type").asText()).isEqualTo(type);
      if (type.equals("content_block_delta")) {
        text.append(data.get("delta").get("text").asText());
      }
      if (type.equals("message_delta")) {
        messageDelta = data;
      }
      if (type.equals("message_start")) {
        assertThat(data.get("message").get("usage").get("input_tokens").asInt()).isEqualTo(8);
      }
    }
    assertThat(events)
        .containsExactly(
            "message_start",
            "content_block_start",
            "ping",
            "content_block_delta",
            "content_block_delta",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop");
    assertThat(text.toString()).isEqualTo("one two three");
    assertThat(messageDelta.get("delta").get("stop_reason").asText()).isEqualTo("max_tokens");
    assertThat(messageDelta.get("usage").get("output_tokens").asInt()).isEqualTo(3);
  }

  @Test
  void errorsUseTheAnthropicShape() {
    Map<String, String> noKey = headers("x");
    noKey.remove("x-api-key");
    HttpResponse<String> r401 = Http.post(base + "/v1/messages", HELLO, noKey);
    assertThat(r401.statusCode()).isEqualTo(401);
    assertThat(Http.json(r401).get("type").asText()).isEqualTo("error");
    assertThat(Http.json(r401).get("error").get("type").asText()).isEqualTo("authentication_error");

    Map<String, String> noVersion = headers("k");
    noVersion.remove("anthropic-version");
    HttpResponse<String> rVersion = Http.post(base + "/v1/messages", HELLO, noVersion);
    assertThat(rVersion.statusCode()).isEqualTo(400);
    assertThat(rVersion.body()).contains("anthropic-version");

    HttpResponse<String> noMax =
        Http.post(base + "/v1/messages", HELLO.replace("\"max_tokens\":64,", ""), headers("k"));
    assertThat(noMax.statusCode()).isEqualTo(400);
    assertThat(Http.json(noMax).get("error").get("message").asText()).contains("max_tokens");

    HttpResponse<String> unknown =
        Http.post(
            base + "/v1/messages", HELLO.replace("claude-haiku-4-5", "claude-x"), headers("k"));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(Http.json(unknown).get("error").get("type").asText()).isEqualTo("not_found_error");

    HttpResponse<String> tooLong =
        Http.post(base + "/v1/messages", HELLO.replace("64", "5000"), headers("k"));
    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(tooLong.body()).contains("prompt is too long");

    HttpResponse<String> wrongPath = Http.post(base + "/v1/chat/completions", HELLO, headers("k"));
    assertThat(wrongPath.statusCode()).isEqualTo(404);
    assertThat(Http.json(wrongPath).get("error").get("type").asText()).isEqualTo("not_found_error");
  }
}
