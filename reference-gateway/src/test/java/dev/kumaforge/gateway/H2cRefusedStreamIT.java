package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.gateway.H2cTestServer.Answer;
import dev.kumaforge.gateway.H2cTestServer.Seen;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Streams an h2c upstream refused unprocessed (RST_STREAM REFUSED_STREAM, or above the
 * last-stream-id of its GOAWAY) are sent again transparently, even a POST and without numRetries; a
 * stream reset after processing is not (a POST stays failed). Against {@link H2cTestServer}, a real
 * Netty HTTP/2 server.
 */
class H2cRefusedStreamIT {
  private static final String BODY = "{\"order\":42}";

  static String yaml(String address, String extra) {
    return """
        backends:
          - name: h2
            protocol: h2c
            endpoints: [{address: "%s"}]
        %s
        routes:
          - name: r
            backendRefs: [{name: h2}]
        """
        .formatted(address, extra);
  }

  /** The value of the gateway metric line starting with {@code series}, or 0 when absent. */
  static double metric(GatewayFixture gw, String series) {
    for (String line : gw.adminGet("/metrics").body().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return 0;
  }

  @Test
  void aRefusedPostIsSentAgainWithoutRetryConfig() throws Exception {
    try (H2cTestServer up = new H2cTestServer();
        GatewayFixture gw = new GatewayFixture(yaml(up.address(), ""))) {
      up.behave((r, n) -> n == 1 ? Answer.REFUSE : Answer.respond(200, "{\"ok\":true}"));
      HttpResponse<String> r = gw.post("/orders", BODY);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("{\"ok\":true}");
      assertThat(up.refused).hasValue(1);
      assertThat(up.seen).containsExactly(new Seen("POST", "/orders", BODY));
      assertThat(metric(gw, "gateway_refused_stream_retries_total{backend=\"h2\"}")).isEqualTo(1);
      assertThat(
              metric(gw, "gateway_upstream_failures_total{backend=\"h2\",kind=\"refused_stream\"}"))
          .isEqualTo(1);
      assertThat(metric(gw, "gateway_retries_total{backend=\"h2\"}")).isZero();
    }
  }

  @Test
  void aStreamAboveTheGoawaysLastStreamIdIsSentAgainOnANewConnection() throws Exception {
    try (H2cTestServer up = new H2cTestServer();
        GatewayFixture gw = new GatewayFixture(yaml(up.address(), ""))) {
      up.behave((r, n) -> n == 1 ? Answer.GOAWAY : Answer.respond(200, "{\"ok\":true}"));
      HttpResponse<String> r = gw.post("/orders", BODY);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(up.seen).containsExactly(new Seen("POST", "/orders", BODY));
      assertThat(up.connections).hasValue(2); // the GOAWAY connection takes no new stream
      assertThat(metric(gw, "gateway_refused_stream_retries_total{backend=\"h2\"}")).isEqualTo(1);
    }
  }

  @Test
  void aPostResetAfterProcessingIsNotSentAgain() throws Exception {
    try (H2cTestServer up = new H2cTestServer();
        GatewayFixture gw =
            new GatewayFixture(yaml(up.address(), "    retry: {numRetries: 2}\n"))) {
      up.behave((r, n) -> n == 1 ? Answer.RESET : Answer.respond(200, "{\"ok\":true}"));
      HttpResponse<String> r = gw.post("/orders", BODY);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
      assertThat(r.body()).contains("\"code\":\"reset\"").contains("INTERNAL_ERROR");
      assertThat(up.seen).containsExactly(new Seen("POST", "/orders", BODY));
      assertThat(metric(gw, "gateway_refused_stream_retries_total{backend=\"h2\"}")).isZero();
      // an idempotent request reset the same way is retried by MeshRetry (retryOn Reset)
      up.behave((q, n) -> n == 2 ? Answer.RESET : Answer.respond(200, "{\"ok\":true}"));
      assertThat(gw.get("/items").statusCode()).isEqualTo(200);
      assertThat(metric(gw, "gateway_retries_total{backend=\"h2\"}")).isEqualTo(1);
    }
  }

  @Test
  void refusedRetriesAreBoundedAndThenFailAsRefusedStream() throws Exception {
    try (H2cTestServer up = new H2cTestServer();
        GatewayFixture gw = new GatewayFixture(yaml(up.address(), ""))) {
      up.behave((r, n) -> Answer.REFUSE);
      HttpResponse<String> r = gw.post("/orders", BODY);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
      assertThat(r.body())
          .contains("\"code\":\"refused_stream\"")
          .contains("RST_STREAM REFUSED_STREAM");
      assertThat(up.refused).hasValue(3); // the first try and REFUSED_RETRIES (2) more
      assertThat(up.seen).isEmpty();
      assertThat(metric(gw, "gateway_refused_stream_retries_total{backend=\"h2\"}")).isEqualTo(2);
    }
  }

  @Test
  void anLlmCallWhoseStreamWasRefusedGoesToTheSameDeploymentAgain() throws Exception {
    String completion =
        "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m-1\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
            + "\"hello\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,"
            + "\"completion_tokens\":1,\"total_tokens\":4}}";
    try (H2cTestServer up = new H2cTestServer();
        H2cTestServer spare = new H2cTestServer()) {
      up.behave((r, n) -> n == 1 ? Answer.REFUSE : Answer.respond(200, completion));
      String yaml =
          """
          backends:
            - name: h2
              protocol: h2c
              endpoints: [{address: "%s"}]
            - name: spare
              protocol: h2c
              endpoints: [{address: "%s"}]
          routes:
            - name: llm
              matches: [{path: {type: PathPrefix, value: /v1}}]
              llm: true
          consumers:
            - name: team-a
              apiKeys: ["%s"]
          ai:
            models:
              - name: mini
                deployments:
                  - {backend: h2, model: m-1, apiKey: sk-up}
                  - {backend: spare, model: m-2, apiKey: sk-up}
          """
              .formatted(
                  up.address(),
                  spare.address(),
                  dev.kumaforge.gateway.consumer.ApiKeyHash.hash("key-a"));
      try (GatewayFixture gw = new GatewayFixture(yaml)) {
        HttpResponse<String> r =
            gw.send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(gw.url("/v1/chat/completions")))
                    .header("authorization", "Bearer key-a")
                    .header("content-type", "application/json")
                    .POST(
                        java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"mini\",\"messages\":[{\"role\":\"user\","
                                + "\"content\":\"hi\"}]}"))
                    .build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("hello");
        assertThat(up.refused).hasValue(1);
        assertThat(up.seen).hasSize(1);
        assertThat(up.seen.get(0).body()).contains("\"model\":\"m-1\"");
        assertThat(spare.seen).isEmpty(); // no fallback: the refused try went to m-1 again
        assertThat(metric(gw, "gateway_refused_stream_retries_total{backend=\"h2\"}")).isEqualTo(1);
      }
    }
  }

  @Test
  void refusedRetriesRespectMaxRetries() throws Exception {
    try (H2cTestServer up = new H2cTestServer();
        GatewayFixture gw =
            new GatewayFixture(
                yaml(up.address(), "    circuitBreaker: {connectionLimits: {maxRetries: 0}}\n"))) {
      up.behave((r, n) -> n == 1 ? Answer.REFUSE : Answer.respond(200, "{\"ok\":true}"));
      HttpResponse<String> r = gw.post("/orders", BODY);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
      assertThat(r.body()).contains("\"code\":\"refused_stream\"");
      assertThat(up.seen).isEmpty();
      assertThat(metric(gw, "gateway_retries_refused_total{backend=\"h2\"}")).isEqualTo(1);
    }
  }
}
