package dev.kumaforge.backends;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.backends.config.BackendsConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiIT {
  static MockBackends backends;
  static String base;

  @BeforeAll
  static void start() {
    backends =
        MockBackends.start(
            BackendsConfig.load(Path.of("examples/quickstart.yaml")).withEphemeralPorts());
    base = backends.listeners().get("openai");
  }

  @AfterAll
  static void stop() {
    backends.close();
  }

  @BeforeEach
  void reset() {
    assertThat(Http.post(base + "/admin/reset", "", Map.of()).statusCode()).isEqualTo(200);
  }

  static final String HELLO =
      "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}],"
          + "\"max_tokens\":16}";

  @Test
  void listenersAreEphemeralLoopbackUrls() {
    assertThat(backends.listeners()).containsOnlyKeys("openai");
    assertThat(base).matches("http://127\\.0\\.0\\.1:\\d+").doesNotEndWith(":18001");
  }

  @Test
  void healthIsReady() {
    HttpResponse<String> res = Http.get(base + "/health/ready");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).contains("ready");
  }

  @Test
  void nonStreamingChatCompletion() {
    HttpResponse<String> res =
        Http.post(base + "/v1/chat/completions", HELLO, Http.openAi("sk-forge-quickstart"));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode body = Http.json(res);
    assertThat(body.get("object").asText()).isEqualTo("chat.completion");
    assertThat(body.get("model").asText()).isEqualTo("gpt-4o-mini");
    JsonNode choice = body.get("choices").get(0);
    assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
    assertThat(choice.get("message").get("content").asText())
        .isEqualTo("Hello! How can I help you today?");
    assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
    JsonNode usage = body.get("usage");
    // o200k_base: "user" = 1 token, "Say hello" = 2 tokens; 3 per message + 3 priming.
    assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(9);
    assertThat(usage.get("completion_tokens").asInt()).isEqualTo(7);
    assertThat(usage.get("total_tokens").asInt()).isEqualTo(16);
  }

  @Test
  void maxTokensCapsTheAnswer() {
    String req = HELLO.replace("\"max_tokens\":16", "\"max_completion_tokens\":3");
    JsonNode body =
        Http.json(
            Http.post(base + "/v1/chat/completions", req, Http.openAi("sk-forge-quickstart")));
    assertThat(body.get("choices").get(0).get("message").get("content").asText())
        .isEqualTo("Hello! How can");
    assertThat(body.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
    assertThat(body.get("usage").get("completion_tokens").asInt()).isEqualTo(3);
  }

  @Test
  void streamingSendsChunksUsageAndDone() {
    String req =
        HELLO.replace(
            "\"max_tokens\":16", "\"stream\":true,\"stream_options\":{\"include_usage\":true}");
    HttpResponse<String> res =
        Http.post(base + "/v1/chat/completions", req, Http.openAi("sk-forge-quickstart"));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    List<String> data = new ArrayList<>();
    for (String line : res.body().split("\n")) {
      if (line.startsWith("data: ")) {
        data.add(line.substring(6));
      } else {
        assertThat(line).isEmpty();
      }
    }
    assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
    StringBuilder text = new StringBuilder();
    String finish = null;
    JsonNode usage = null;
    for (String d : data.subList(0, data.size() - 1)) {
      JsonNode chunk = readJson(d);
      assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
      if (chunk.get("choices").isEmpty()) {
        usage = chunk.get("usage");
        continue;
      }
      JsonNode choice = chunk.get("choices").get(0);
      text.append(choice.get("delta").path("content").asText(""));
      if (!choice.get("finish_reason").isNull()) {
        finish = choice.get("finish_reason").asText();
      }
    }
    assertThat(text.toString()).isEqualTo("Hello! How can I help you today?");
    assertThat(finish).isEqualTo("stop");
    assertThat(usage).isNotNull();
    assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(9);
    assertThat(usage.get("completion_tokens").asInt()).isEqualTo(7);
  }

  @Test
  void errorsUseTheOpenAiShape() {
    HttpResponse<String> noKey =
        Http.post(base + "/v1/chat/completions", HELLO, Map.of("content-type", "application/json"));
    assertThat(noKey.statusCode()).isEqualTo(401);
    assertThat(Http.json(noKey).get("error").get("type").asText())
        .isEqualTo("invalid_request_error");

    HttpResponse<String> badJson =
        Http.post(base + "/v1/chat/completions", "{nope", Http.openAi("k"));
    assertThat(badJson.statusCode()).isEqualTo(400);
    assertThat(Http.json(badJson).get("error").get("message").asText()).contains("parse the JSON");

    HttpResponse<String> unknown =
        Http.post(
            base + "/v1/chat/completions", HELLO.replace("gpt-4o-mini", "gpt-9"), Http.openAi("k"));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(Http.json(unknown).get("error").get("code").asText()).isEqualTo("model_not_found");

    HttpResponse<String> tooLong =
        Http.post(
            base + "/v1/chat/completions",
            HELLO.replace("\"max_tokens\":16", "\"max_tokens\":200000"),
            Http.openAi("k"));
    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(Http.json(tooLong).get("error").get("code").asText())
        .isEqualTo("context_length_exceeded");

    HttpResponse<String> noMessages =
        Http.post(base + "/v1/chat/completions", "{\"model\":\"gpt-4o-mini\"}", Http.openAi("k"));
    assertThat(noMessages.statusCode()).isEqualTo(400);
    assertThat(Http.json(noMessages).get("error").get("param").asText()).isEqualTo("messages");

    HttpResponse<String> wrongPath = Http.get(base + "/v1/nothing");
    assertThat(wrongPath.statusCode()).isEqualTo(404);
  }

  @Test
  void modelsAreListed() {
    HttpResponse<String> res =
        Http.send("GET", base + "/v1/models", null, Http.openAi("sk-forge-quickstart"));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(Http.json(res).get("data").get(0).get("id").asText()).isEqualTo("gpt-4o-mini");
  }

  @Test
  void ledgerMatchesWhatClientsReceived() {
    for (int i = 0; i < 3; i++) {
      Http.post(base + "/v1/chat/completions", HELLO, Http.openAi("key-a"));
    }
    Http.post(base + "/v1/chat/completions", HELLO, Http.openAi("key-b"));
    JsonNode stats = Http.json(Http.get(base + "/admin/stats"));
    assertThat(stats.get("provider").asText()).isEqualTo("openai");
    JsonNode a = stats.get("entries").get(0);
    assertThat(a.get("api_key").asText()).isEqualTo("key-a");
    assertThat(a.get("requests").asLong()).isEqualTo(3);
    assertThat(a.get("prompt_tokens").asLong()).isEqualTo(27);
    assertThat(a.get("completion_tokens").asLong()).isEqualTo(21);
    assertThat(stats.get("totals").get("requests").asLong()).isEqualTo(4);
    double expectedCost = (36 * 0.15 + 28 * 0.60) / 1_000_000.0;
    assertThat(stats.get("totals").get("cost_usd").asDouble())
        .isCloseTo(expectedCost, org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void metricsExposeTheLedgerInPrometheusFormat() {
    Http.post(base + "/v1/chat/completions", HELLO, Http.openAi("key-\"q"));
    HttpResponse<String> res = Http.get(base + "/metrics");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
    assertThat(res.body())
        .contains("# TYPE forge_backend_requests_total counter")
        .contains(
            "forge_backend_requests_total{api_key=\"key-\\\"q\",model=\"gpt-4o-mini\",provider=\"openai\"} 1")
        .contains(
            "forge_backend_completion_tokens_total{api_key=\"key-\\\"q\",model=\"gpt-4o-mini\",provider=\"openai\"} 7")
        .contains("forge_backend_active_sequences{model=\"gpt-4o-mini\",provider=\"openai\"} 0");
  }

  @Test
  void freezeHoldsEveryAnswerUntilItEnds() {
    HttpResponse<String> put =
        Http.send(
            "PUT",
            base + "/admin/faults",
            "{\"faults\":[{\"type\":\"freeze\",\"duration\":\"400ms\"}]}",
            Map.of("content-type", "application/json"));
    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(Http.json(put).get("faults").get(0).get("type").asText()).isEqualTo("freeze");
    long start = System.nanoTime();
    HttpResponse<String> res =
        Http.post(base + "/v1/chat/completions", HELLO, Http.openAi("sk-forge-quickstart"));
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(res.statusCode()).isEqualTo(200);
    // A lower bound only: the freeze must have held the answer back (no upper timing bound).
    assertThat(elapsedMs).isGreaterThanOrEqualTo(300);
    assertThat(Http.send("DELETE", base + "/admin/faults", null, Map.of()).body())
        .isEqualTo("{\"faults\":[]}");
  }

  @Test
  void badFaultsAreRejectedWithTheirPath() {
    HttpResponse<String> res =
        Http.send(
            "PUT",
            base + "/admin/faults",
            "[{\"type\":\"freeze\"},{\"type\":\"freeze\",\"duration\":\"1s\",\"rate\":2}]",
            Map.of());
    assertThat(res.statusCode()).isEqualTo(400);
    assertThat(res.body()).contains("[0].duration: missing required key").contains("[1].rate");
    HttpResponse<String> unknownType =
        Http.send("PUT", base + "/admin/faults", "{\"type\":\"explode\"}", Map.of());
    assertThat(unknownType.statusCode()).isEqualTo(400);
    assertThat(Http.json(unknownType).get("status").asInt()).isEqualTo(400);
  }

  private static JsonNode readJson(String s) {
    try {
      return Http.JSON.readTree(s);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
