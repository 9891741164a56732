package dev.kumaforge.backends;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.backends.config.BackendsConfig;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tool calls: OpenAI tool_calls (and their deltas), Anthropic tool_use (and input_json_delta). */
class ToolsIT {
  static final String CONFIG =
      """
      providers:
        - name: openai
          listen: 127.0.0.1:0
          models: [{name: m, output: {toolCallRate: 0.0}}]
        - name: anthropic
          style: anthropic
          listen: 127.0.0.1:0
          models: [{name: claude, output: {toolCallRate: 1.0}}]
      """;

  static final String SCHEMA =
      "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
          + "\"unit\":{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]},"
          + "\"days\":{\"type\":\"integer\"}},\"required\":[\"city\"]}";
  static final String ARGS = "{\"city\":\"forge\",\"unit\":\"celsius\",\"days\":1}";

  static MockBackends backends;

  @BeforeAll
  static void start() {
    backends = MockBackends.start(BackendsConfig.parse(CONFIG, "test"));
  }

  @AfterAll
  static void stop() {
    backends.close();
  }

  static String chat(String choice, boolean stream) {
    String body =
        "{\"model\":\"m\",\"stream\":"
            + stream
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}],"
            + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"parameters\":"
            + SCHEMA
            + "}}],\"tool_choice\":"
            + choice
            + "}";
    return Http.post(
            backends.listeners().get("openai") + "/v1/chat/completions", body, Http.openAi("k"))
        .body();
  }

  @Test
  void openAiAnswersWithAToolCallWhenRequired() {
    JsonNode msg = Http.parse(chat("\"required\"", false)).get("choices").get(0);
    assertThat(msg.get("finish_reason").asText()).isEqualTo("tool_calls");
    JsonNode call = msg.get("message").get("tool_calls").get(0);
    assertThat(call.get("type").asText()).isEqualTo("function");
    assertThat(call.get("id").asText()).startsWith("call_");
    assertThat(call.get("function").get("name").asText()).isEqualTo("get_weather");
    assertThat(call.get("function").get("arguments").asText()).isEqualTo(ARGS);
    assertThat(msg.get("message").get("content").isNull()).isTrue();
  }

  @Test
  void openAiStreamsToolCallDeltas() {
    String named = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}";
    StringBuilder args = new StringBuilder();
    String name = null;
    String finish = null;
    for (String line : chat(named, true).split("\n")) {
      if (!line.startsWith("data: {")) {
        continue;
      }
      JsonNode choice = Http.parse(line.substring(6)).get("choices").get(0);
      JsonNode calls = choice.get("delta").path("tool_calls");
      if (calls.isArray()) {
        JsonNode f = calls.get(0).get("function");
        if (f.has("name")) {
          name = f.get("name").asText();
        }
        args.append(f.path("arguments").asText(""));
      }
      if (!choice.get("finish_reason").isNull()) {
        finish = choice.get("finish_reason").asText();
      }
    }
    assertThat(name).isEqualTo("get_weather");
    assertThat(args.toString()).isEqualTo(ARGS);
    assertThat(finish).isEqualTo("tool_calls");
  }

  @Test
  void openAiAnswersTextWhenToolsAreNotChosen() {
    assertThat(
            Http.parse(chat("\"auto\"", false)).get("choices").get(0).get("finish_reason").asText())
        .isEqualTo("stop");
    assertThat(
            Http.parse(chat("\"none\"", false)).get("choices").get(0).get("finish_reason").asText())
        .isEqualTo("stop");
  }

  static String message(boolean stream) {
    String body =
        "{\"model\":\"claude\",\"max_tokens\":100,\"stream\":"
            + stream
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}],"
            + "\"tools\":[{\"name\":\"get_weather\",\"input_schema\":"
            + SCHEMA
            + "}]}";
    return Http.post(
            backends.listeners().get("anthropic") + "/v1/messages",
            body,
            Map.of("x-api-key", "k", "anthropic-version", "2023-06-01"))
        .body();
  }

  @Test
  void anthropicAnswersWithToolUse() {
    JsonNode msg = Http.parse(message(false));
    assertThat(msg.get("stop_reason").asText()).isEqualTo("tool_use");
    JsonNode block = msg.get("content").get(0);
    assertThat(block.get("type").asText()).isEqualTo("tool_use");
    assertThat(block.get("id").asText()).startsWith("toolu_");
    assertThat(block.get("name").asText()).isEqualTo("get_weather");
    assertThat(block.get("input")).isEqualTo(Http.parse(ARGS));
  }

  @Test
  void anthropicStreamsInputJsonDeltas() {
    StringBuilder json = new StringBuilder();
    String blockType = null;
    String stop = null;
    for (String line : message(true).split("\n")) {
      if (!line.startsWith("data: ")) {
        continue;
      }
      JsonNode e = Http.parse(line.substring(6));
      switch (e.get("type").asText()) {
        case "content_block_start":
          blockType = e.get("content_block").get("type").asText();
          break;
        case "content_block_delta":
          assertThat(e.get("delta").get("type").asText()).isEqualTo("input_json_delta");
          json.append(e.get("delta").get("partial_json").asText());
          break;
        case "message_delta":
          stop = e.get("delta").get("stop_reason").asText();
          break;
        default:
          break;
      }
    }
    assertThat(blockType).isEqualTo("tool_use");
    assertThat(json.toString()).isEqualTo(ARGS);
    assertThat(stop).isEqualTo("tool_use");
  }
}
