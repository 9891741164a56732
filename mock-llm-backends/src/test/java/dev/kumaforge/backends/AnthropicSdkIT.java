package dev.kumaforge.backends;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.NotFoundException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolChoiceAny;
import com.anthropic.models.messages.ToolUseBlock;
import dev.kumaforge.backends.config.BackendsConfig;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official Anthropic Java SDK against the mock: plain, streaming, tools, errors. */
class AnthropicSdkIT {
  static MockBackends backends;
  static AnthropicClient client;

  @BeforeAll
  static void start() {
    backends = MockBackends.start(BackendsConfig.parse(AnthropicIT.CONFIG, "test"));
    client =
        AnthropicOkHttpClient.builder()
            .baseUrl(backends.listeners().get("anthropic"))
            .apiKey("sk-ant-sdk")
            .maxRetries(0)
            .build();
  }

  @AfterAll
  static void stop() {
    client.close();
    backends.close();
  }

  static MessageCreateParams.Builder hello() {
    return MessageCreateParams.builder()
        .model("claude-haiku-4-5")
        .maxTokens(64)
        .addUserMessage("Say hello");
  }

  @Test
  void plainMessage() {
    Message m = client.messages().create(hello().build());
    assertThat(m.content().get(0).text().orElseThrow().text()).isEqualTo("one two three four five");
    assertThat(m.usage().outputTokens()).isEqualTo(5);
    assertThat(m.stopReason().orElseThrow().toString()).isEqualTo("end_turn");
  }

  @Test
  void streamingMessage() {
    StringBuilder text = new StringBuilder();
    long[] output = {-1};
    try (StreamResponse<RawMessageStreamEvent> stream =
        client.messages().createStreaming(hello().maxTokens(3).build())) {
      stream.stream()
          .forEach(
              e -> {
                e.contentBlockDelta()
                    .flatMap(d -> d.delta().text())
                    .ifPresent(t -> text.append(t.text()));
                e.messageDelta().ifPresent(d -> output[0] = d.usage().outputTokens());
              });
    }
    assertThat(text.toString()).isEqualTo("one two three");
    assertThat(output[0]).isEqualTo(3);
  }

  @Test
  void toolUse() {
    Tool tool =
        Tool.builder()
            .name("get_weather")
            .inputSchema(
                Tool.InputSchema.builder()
                    .properties(
                        Tool.InputSchema.Properties.builder()
                            .putAdditionalProperty("city", JsonValue.from(Map.of("type", "string")))
                            .build())
                    .build())
            .build();
    MessageCreateParams params =
        hello().addTool(tool).toolChoice(ToolChoiceAny.builder().build()).build();
    ToolUseBlock use = client.messages().create(params).content().get(0).toolUse().orElseThrow();
    assertThat(use.name()).isEqualTo("get_weather");
    assertThat(use._input().toString()).contains("forge");

    StringBuilder json = new StringBuilder();
    try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
      stream.stream()
          .forEach(
              e ->
                  e.contentBlockDelta()
                      .flatMap(d -> d.delta().inputJson())
                      .ifPresent(j -> json.append(j.partialJson())));
    }
    assertThat(json.toString()).isEqualTo("{\"city\":\"forge\"}");
  }

  @Test
  void unknownModelIsANotFoundError() {
    assertThatThrownBy(() -> client.messages().create(hello().model("claude-x").build()))
        .isInstanceOf(NotFoundException.class);
  }
}
