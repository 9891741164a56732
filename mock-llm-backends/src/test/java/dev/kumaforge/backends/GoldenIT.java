package dev.kumaforge.backends;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.backends.config.BackendsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Byte-for-byte golden files of both wire formats, streaming and not ({@code "created"} is
 * normalised to 0). Regenerate with {@code -Dgolden.update=true} after a deliberate change.
 */
class GoldenIT {
  static final String CONFIG =
      """
      seed: 1
      providers:
        - name: openai
          listen: 127.0.0.1:0
          models:
            - name: gpt-4o-mini
              output: {tokens: 4, text: The quick brown fox}
        - name: anthropic
          style: anthropic
          listen: 127.0.0.1:0
          models:
            - name: claude-haiku-4-5
              encoding: cl100k_base
              output: {tokens: 4, text: The quick brown fox}
      """;

  static MockBackends backends;

  @BeforeAll
  static void start() {
    backends = MockBackends.start(BackendsConfig.parse(CONFIG, "golden"));
  }

  @AfterAll
  static void stop() {
    backends.close();
  }

  @BeforeEach
  void reset() {
    backends.listeners().values().forEach(u -> Http.post(u + "/admin/reset", "", Map.of()));
  }

  static final String CHAT =
      "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"Be terse.\"},"
          + "{\"role\":\"user\",\"content\":\"Name an animal.\"}],\"max_tokens\":3%s}";
  static final String MESSAGE =
      "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":3,\"system\":\"Be terse.\","
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Name an animal.\"}]%s}";

  @Test
  void openAiChatCompletion() throws IOException {
    golden("openai-chat.json", openai(String.format(CHAT, "")));
  }

  @Test
  void openAiChatCompletionStream() throws IOException {
    golden(
        "openai-chat-stream.txt",
        openai(
            String.format(CHAT, ",\"stream\":true,\"stream_options\":{\"include_usage\":true}")));
  }

  @Test
  void anthropicMessage() throws IOException {
    golden("anthropic-message.json", anthropic(String.format(MESSAGE, "")));
  }

  @Test
  void anthropicMessageStream() throws IOException {
    golden("anthropic-message-stream.txt", anthropic(String.format(MESSAGE, ",\"stream\":true")));
  }

  private static String openai(String body) {
    return Http.post(
            backends.listeners().get("openai") + "/v1/chat/completions", body, Http.openAi("k"))
        .body();
  }

  private static String anthropic(String body) {
    return Http.post(
            backends.listeners().get("anthropic") + "/v1/messages",
            body,
            Map.of("x-api-key", "k", "anthropic-version", "2023-06-01"))
        .body();
  }

  private static void golden(String name, String actual) throws IOException {
    String normalised = actual.replaceAll("\"created\":\\d+", "\"created\":0");
    Path file = Path.of("src/test/resources/golden", name);
    if (Boolean.getBoolean("golden.update") || !Files.exists(file)) {
      Files.writeString(file, normalised, StandardCharsets.UTF_8);
    }
    assertThat(normalised).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
  }
}
