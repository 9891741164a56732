package dev.kumaforge.backends;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.backends.config.BackendsConfig;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /v1/embeddings} and legacy {@code /v1/completions}. */
class OpenAiExtrasIT {
  static final String CONFIG =
      """
      providers:
        - name: openai
          listen: 127.0.0.1:0
          models:
            - {name: text-embedding-3-small, embeddingDimensions: 64}
            - {name: gpt-3.5-turbo-instruct, encoding: cl100k_base, output: {tokens: 3, text: x y z}}
      """;

  static MockBackends backends;
  static String base;

  @BeforeAll
  static void start() {
    backends = MockBackends.start(BackendsConfig.parse(CONFIG, "test"));
    base = backends.listeners().get("openai");
  }

  @AfterAll
  static void stop() {
    backends.close();
  }

  static JsonNode embed(String input) {
    HttpResponse<String> r =
        Http.post(
            base + "/v1/embeddings",
            "{\"model\":\"text-embedding-3-small\",\"input\":" + input + "}",
            Http.openAi("k"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Http.json(r);
  }

  @Test
  void embeddingsAreDeterministicUnitVectors() {
    JsonNode a = embed("[\"hello world\",\"other\"]");
    JsonNode b = embed("\"hello world\"");
    JsonNode va = a.get("data").get(0).get("embedding");
    assertThat(va.size()).isEqualTo(64);
    assertThat(va).isEqualTo(b.get("data").get(0).get("embedding"));
    assertThat(a.get("data").get(1).get("embedding")).isNotEqualTo(va);
    double norm = 0;
    for (JsonNode x : va) {
      norm += x.asDouble() * x.asDouble();
    }
    assertThat(norm).isCloseTo(1.0, offset(1e-4));
    // o200k_base: "hello world" = 2 tokens, "other" = 1
    assertThat(a.get("usage").get("prompt_tokens").asInt()).isEqualTo(3);
    HttpResponse<String> bad =
        Http.post(
            base + "/v1/embeddings",
            "{\"model\":\"text-embedding-3-small\",\"input\":\"x\",\"dimensions\":65}",
            Http.openAi("k"));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(Http.json(bad).get("error").get("param").asText()).isEqualTo("dimensions");
  }

  @Test
  void legacyCompletions() {
    String body =
        "{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":\"Say this\",\"max_tokens\":2%s}";
    JsonNode whole =
        Http.json(Http.post(base + "/v1/completions", String.format(body, ""), Http.openAi("k")));
    assertThat(whole.get("object").asText()).isEqualTo("text_completion");
    assertThat(whole.get("choices").get(0).get("text").asText()).isEqualTo("x y");
    assertThat(whole.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
    assertThat(whole.get("usage").get("completion_tokens").asInt()).isEqualTo(2);
    String stream =
        Http.post(
                base + "/v1/completions", String.format(body, ",\"stream\":true"), Http.openAi("k"))
            .body();
    StringBuilder text = new StringBuilder();
    for (String line : stream.split("\n")) {
      if (line.startsWith("data: {")) {
        text.append(Http.parse(line.substring(6)).get("choices").get(0).get("text").asText());
      }
    }
    assertThat(text.toString()).isEqualTo("x y");
    assertThat(stream).endsWith("data: [DONE]\n\n");
  }
}
