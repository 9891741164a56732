package dev.kumaforge.backends;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import dev.kumaforge.backends.config.BackendsConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK against the mock: plain, streaming, tools, errors. */
class OpenAiSdkIT {
  static MockBackends backends;
  static OpenAIClient client;

  @BeforeAll
  static void start() {
    backends =
        MockBackends.start(
            BackendsConfig.load(Path.of("examples/quickstart.yaml")).withEphemeralPorts());
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl(backends.listeners().get("openai") + "/v1")
            .apiKey("sk-forge-sdk")
            .maxRetries(0)
            .build();
  }

  @AfterAll
  static void stop() {
    client.close();
    backends.close();
  }

  static ChatCompletionCreateParams.Builder hello() {
    return ChatCompletionCreateParams.builder()
        .model("gpt-4o-mini")
        .addUserMessage("Say hello")
        .maxCompletionTokens(16);
  }

  @Test
  void plainCompletion() {
    ChatCompletion c = client.chat().completions().create(hello().build());
    assertThat(c.choices().get(0).message().content()).hasValue("Hello! How can I help you today?");
    assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(9);
    assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(7);
  }

  @Test
  void streamingWithUsage() {
    ChatCompletionCreateParams params =
        hello()
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
            .build();
    StringBuilder text = new StringBuilder();
    long completion = -1;
    try (StreamResponse<ChatCompletionChunk> stream =
        client.chat().completions().createStreaming(params)) {
      for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
        chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
        if (chunk.usage().isPresent()) {
          completion = chunk.usage().get().completionTokens();
        }
      }
    }
    assertThat(text.toString()).isEqualTo("Hello! How can I help you today?");
    assertThat(completion).isEqualTo(7);
  }

  @Test
  void toolCalls() {
    FunctionDefinition fn =
        FunctionDefinition.builder()
            .name("get_weather")
            .parameters(
                FunctionParameters.builder()
                    .putAdditionalProperty("type", JsonValue.from("object"))
                    .putAdditionalProperty(
                        "properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                    .build())
            .build();
    ChatCompletionCreateParams params =
        hello()
            .addFunctionTool(fn)
            .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED)
            .build();
    ChatCompletion c = client.chat().completions().create(params);
    ChatCompletionMessageFunctionToolCall call =
        c.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();
    assertThat(call.function().name()).isEqualTo("get_weather");
    assertThat(call.function().arguments()).isEqualTo("{\"city\":\"forge\"}");

    StringBuilder args = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> stream =
        client.chat().completions().createStreaming(params)) {
      stream.stream()
          .forEach(
              chunk ->
                  chunk.choices().stream()
                      .flatMap(
                          ch -> ch.delta().toolCalls().stream().flatMap(java.util.List::stream))
                      .forEach(
                          tc -> tc.function().flatMap(f -> f.arguments()).ifPresent(args::append)));
    }
    assertThat(args.toString()).isEqualTo("{\"city\":\"forge\"}");
  }

  @Test
  void unknownModelIsANotFoundError() {
    assertThatThrownBy(() -> client.chat().completions().create(hello().model("gpt-9").build()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("does not exist");
  }
}
