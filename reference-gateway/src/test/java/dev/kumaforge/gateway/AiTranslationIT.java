package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Golden files of the OpenAI-compatible front over both providers, streaming and not, tools
 * included ({@code "created"} normalised to 0). Regenerate with {@code -Dgolden.update=true} after
 * a deliberate change, and read the diff.
 */
class AiTranslationIT {
  static final String CATALOG =
      """
      ai:
        models:
          - name: gpt-4o-mini
            deployments:
              - {backend: openai, model: gpt-4o-mini, apiKey: sk-upstream, price: {input: 0.15, output: 0.60}}
          - name: claude-haiku
            deployments:
              - {backend: anthropic, style: anthropic, model: claude-haiku-4-5, apiKey: sk-ant-upstream,
                 encoding: cl100k_base, maxOutput: 1024, contextWindow: 200000, price: {input: 1.0, output: 5.0}}
          - name: embed
            deployments:
              - {backend: openai, model: text-embedding-3-small, apiKey: sk-upstream, price: {input: 0.02, output: 0}}
      """;

  static final String CHAT =
      "{\"model\":\"%s\",\"messages\":[{\"role\":\"system\",\"content\":\"Be terse.\"},"
          + "{\"role\":\"user\",\"content\":\"Name an animal.\"}],\"max_tokens\":3%s}";

  static final String TOOLS =
      ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
          + "\"description\":\"Weather of a city\",\"parameters\":{\"type\":\"object\","
          + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}],"
          + "\"tool_choice\":\"required\"";

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

  static void golden(String name, String actual) throws IOException {
    String normalised = actual.replaceAll("\"created\":\\d+", "\"created\":0");
    Path file = Path.of("src/test/resources/golden-ai", name);
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, normalised, StandardCharsets.UTF_8);
    }
    assertThat(normalised).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
  }

  @Test
  void openAiNonStreaming() throws IOException {
    HttpResponse<String> r = f.chat(AiFixture.KEY_A, CHAT.formatted("gpt-4o-mini", ""));
    assertThat(r.statusCode()).isEqualTo(200);
    golden("openai-chat.json", r.body());
  }

  @Test
  void openAiStreamingWithUsage() throws IOException {
    HttpResponse<String> r =
        f.chat(
            AiFixture.KEY_A,
            CHAT.formatted(
                "gpt-4o-mini", ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    golden("openai-chat-stream-usage.txt", r.body());
  }

  @Test
  void openAiStreamingWithoutUsageHidesTheUsageTheGatewayAskedFor() throws IOException {
    HttpResponse<String> r =
        f.chat(AiFixture.KEY_A, CHAT.formatted("gpt-4o-mini", ",\"stream\":true"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).doesNotContain("\"usage\":{");
    golden("openai-chat-stream.txt", r.body());
  }

  @Test
  void openAiToolsStreaming() throws IOException {
    HttpResponse<String> r =
        f.chat(
            AiFixture.KEY_A,
            CHAT.formatted("gpt-4o-mini", TOOLS + ",\"stream\":true").replace(":3,", ":30,"));
    assertThat(r.statusCode()).isEqualTo(200);
    golden("openai-tools-stream.txt", r.body());
  }

  @Test
  void anthropicNonStreaming() throws IOException {
    HttpResponse<String> r = f.chat(AiFixture.KEY_A, CHAT.formatted("claude-haiku", ""));
    assertThat(r.statusCode()).isEqualTo(200);
    golden("anthropic-chat.json", r.body());
  }

  @Test
  void anthropicStreaming() throws IOException {
    HttpResponse<String> r =
        f.chat(
            AiFixture.KEY_A,
            CHAT.formatted(
                "claude-haiku", ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
    assertThat(r.statusCode()).isEqualTo(200);
    golden("anthropic-chat-stream-usage.txt", r.body());
  }

  @Test
  void anthropicToolsNonStreaming() throws IOException {
    HttpResponse<String> r =
        f.chat(AiFixture.KEY_A, CHAT.formatted("claude-haiku", TOOLS).replace(":3,", ":30,"));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode call = AiFixture.parse(r.body()).at("/choices/0/message/tool_calls/0");
    assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");
    assertThat(AiFixture.parse(call.at("/function/arguments").asText()).path("city").asText())
        .isEqualTo("forge");
    golden("anthropic-tools.json", r.body());
  }

  @Test
  void anthropicToolsStreaming() throws IOException {
    HttpResponse<String> r =
        f.chat(
            AiFixture.KEY_A,
            CHAT.formatted("claude-haiku", TOOLS + ",\"stream\":true").replace(":3,", ":30,"));
    assertThat(r.statusCode()).isEqualTo(200);
    golden("anthropic-tools-stream.txt", r.body());
  }

  @Test
  void toolResultsTravelToAnthropicAsToolResultBlocks() {
    String body =
        "{\"model\":\"claude-haiku\",\"max_tokens\":3,\"messages\":["
            + "{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
            + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"toolu_1\","
            + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
            + "{\"role\":\"tool\",\"tool_call_id\":\"toolu_1\",\"content\":\"sunny\"}]"
            + TOOLS.replace("required", "auto")
            + "}";
    HttpResponse<String> r = f.chat(AiFixture.KEY_A, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(AiFixture.parse(r.body()).at("/choices/0/message/role").asText())
        .isEqualTo("assistant");
  }

  @Test
  void nativeMessagesPassThrough() throws IOException {
    String body =
        "{\"model\":\"claude-haiku\",\"max_tokens\":3,\"system\":\"Be terse.\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Name an animal.\"}]}";
    HttpResponse<String> r =
        f.post(
            "/v1/messages",
            null,
            body,
            Map.of("x-api-key", AiFixture.KEY_B, "anthropic-version", "2023-06-01"));
    assertThat(r.statusCode()).isEqualTo(200);
    golden("messages-stream.txt", r.body());
  }

  @Test
  void embeddingsAndModels() {
    HttpResponse<String> r =
        f.post(
            "/v1/embeddings",
            AiFixture.KEY_A,
            "{\"model\":\"embed\",\"input\":\"hello world\"}",
            Map.of());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(AiFixture.parse(r.body()).at("/usage/prompt_tokens").asInt()).isPositive();
    HttpResponse<String> m =
        f.send("GET", f.gw.url("/v1/models"), null, Map.of("Authorization", "Bearer key-a"));
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.body()).contains("\"id\":\"gpt-4o-mini\"", "\"id\":\"claude-haiku\"");
  }

  @Test
  void unknownKeyIs401InOpenAiShapeWithoutEchoingTheKey() {
    HttpResponse<String> r = f.chat("sk-secret-guess-123", CHAT.formatted("gpt-4o-mini", ""));
    assertThat(r.statusCode()).isEqualTo(401);
    JsonNode e = AiFixture.parse(r.body()).path("error");
    assertThat(e.path("code").asText()).isEqualTo("invalid_api_key");
    assertThat(e.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(r.body()).doesNotContain("sk-secret-guess-123");
    assertThat(f.chat(null, CHAT.formatted("gpt-4o-mini", "")).statusCode()).isEqualTo(401);
  }

  @Test
  void unknownModelIs404() {
    HttpResponse<String> r = f.chat(AiFixture.KEY_A, CHAT.formatted("gpt-9", ""));
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("model_not_found");
  }
}
