package dev.kumaforge.backends;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.backends.config.BackendsConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Not-ready start-up, timing evidence, oversize bodies, pipelining. */
class ProviderOptionsIT {
  static final String CONFIG =
      """
      providers:
        - name: openai
          listen: 127.0.0.1:0
          maxBodySize: 1KiB
          timingHeaders: true
          models: [{name: m, output: {tokens: 3, text: a b c}, latency: {prefillOverhead: 1ms}}]
        - name: anthropic
          style: anthropic
          listen: 127.0.0.1:0
          notReadyFor: 500ms
          models: [{name: claude}]
      """;

  static final String BODY =
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @Test
  void notReadyAtStartUpThenReady() {
    try (MockBackends b = MockBackends.start(BackendsConfig.parse(CONFIG, "test"))) {
      String base = b.listeners().get("anthropic");
      HttpResponse<String> early =
          Http.post(
              base + "/v1/messages",
              "{\"model\":\"claude\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
              Map.of("x-api-key", "k", "anthropic-version", "2023-06-01"));
      assertThat(early.statusCode()).isEqualTo(503);
      assertThat(Http.json(early).get("type").asText()).isEqualTo("error");
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> Http.get(base + "/health/ready").statusCode() == 200);
    }
  }

  @Test
  void timingEvidenceInHeadersAndSseComments() {
    try (MockBackends b = MockBackends.start(BackendsConfig.parse(CONFIG, "test"))) {
      String url = b.listeners().get("openai") + "/v1/chat/completions";
      HttpResponse<String> res = Http.post(url, BODY, Http.openAi("k"));
      long service = Long.parseLong(res.headers().firstValue("x-forge-service-us").orElseThrow());
      assertThat(service).isGreaterThanOrEqualTo(1000);
      assertThat(res.headers().firstValue("x-forge-received-us")).isPresent();
      HttpResponse<String> stream =
          Http.post(url, BODY.replace("{\"model", "{\"stream\":true,\"model"), Http.openAi("k"));
      assertThat(stream.body()).contains(": emit-us ").endsWith("data: [DONE]\n\n");
    }
  }

  @Test
  void oversizeBodiesGetAProviderShaped413() {
    try (MockBackends b = MockBackends.start(BackendsConfig.parse(CONFIG, "test"))) {
      String url = b.listeners().get("openai") + "/v1/chat/completions";
      String big = BODY.replace("hi", "x".repeat(2048));
      HttpResponse<String> res = Http.post(url, big, Http.openAi("k"));
      assertThat(res.statusCode()).isEqualTo(413);
      assertThat(Http.json(res).get("error").get("code").asText()).isEqualTo("request_too_large");
      assertThat(Http.post(url, BODY, Http.openAi("k")).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (MockBackends b = MockBackends.start(BackendsConfig.parse(CONFIG, "test"))) {
      URI uri = URI.create(b.listeners().get("openai"));
      String one = request("/v1/chat/completions", BODY);
      String two = request("/v1/models", null);
      try (Socket s = new Socket(uri.getHost(), uri.getPort())) {
        OutputStream out = s.getOutputStream();
        out.write((one + two).getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[4096];
        while (!sb.toString().contains("\"object\":\"list\"")) {
          int n = in.read(buf);
          if (n < 0) {
            break;
          }
          sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        String all = sb.toString();
        assertThat(all.indexOf("chat.completion")).isGreaterThan(0);
        assertThat(all.indexOf("chat.completion")).isLessThan(all.indexOf("\"object\":\"list\""));
      }
    }
  }

  private static String request(String path, String body) {
    String method = body == null ? "GET" : "POST";
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    return method
        + " "
        + path
        + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\nContent-Type: application/json\r\n"
        + "Content-Length: "
        + bytes.length
        + "\r\n\r\n"
        + (body == null ? "" : body);
  }
}
