package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProxyIT {

  @BothTransports
  void proxiesBodiesAndHeadersAndBalancesRoundRobin(String transport) throws Exception {
    try (TestUpstream a = new TestUpstream("a");
        TestUpstream b = new TestUpstream("b");
        GatewayFixture gw =
            new GatewayFixture(
                transport,
                """
                backends:
                  - name: pool
                    endpoints: [{address: "%s"}, {address: "%s"}]
                routes:
                  - name: all
                    matches: [{path: {type: PathPrefix, value: /}}]
                    backendRefs: [{name: pool}]
                """
                    .formatted(a.address(), b.address()))) {
      HttpResponse<String> post =
          gw.send(
              HttpRequest.newBuilder(URI.create(gw.url("/v1/chat/completions?x=1")))
                  .POST(HttpRequest.BodyPublishers.ofString("{\"hello\":1}"))
                  .header("X-Forwarded-For", "6.6.6.6")
                  .header("X-Custom", "kept")
                  .header("Proxy-Authorization", "Basic secret")
                  .build());
      assertThat(post.statusCode()).isEqualTo(200);
      assertThat(post.headers().firstValue("content-type")).hasValue("application/json");
      TestUpstream.Seen seen = a.seen.isEmpty() ? b.seen.peek() : a.seen.peek();
      assertThat(seen.method()).isEqualTo("POST");
      assertThat(seen.path()).isEqualTo("/v1/chat/completions?x=1");
      assertThat(seen.body()).isEqualTo("{\"hello\":1}");
      assertThat(seen.header("x-custom")).isEqualTo("kept");
      assertThat(seen.header("x-forwarded-for")).isEqualTo("127.0.0.1");
      assertThat(seen.header("proxy-authorization")).isNull();

      Map<String, Integer> counts = new HashMap<>();
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> r = gw.get("/models");
        counts.merge(r.body(), 1, Integer::sum);
      }
      assertThat(counts).containsEntry("{\"upstream\":\"a\"}", 10);
      assertThat(counts).containsEntry("{\"upstream\":\"b\"}", 10);
    }
  }

  @Test
  void unmatchedRequestGets404InTheErrorShapeAndAdminPathsAreNotPublic() throws Exception {
    try (TestUpstream a = new TestUpstream("a");
        GatewayFixture gw =
            new GatewayFixture(
                """
                backends:
                  - name: api
                    endpoints: [{address: "%s"}]
                routes:
                  - name: v1
                    matches: [{path: {type: PathPrefix, value: /v1}}]
                    backendRefs: [{name: api}]
                """
                    .formatted(a.address()))) {
      for (String path : new String[] {"/metrics", "/ready", "/config", "/v1x"}) {
        HttpResponse<String> r = gw.get(path);
        assertThat(r.statusCode()).as(path).isEqualTo(404);
        assertThat(r.body())
            .startsWith("{\"error\":{\"code\":\"no_route\",\"status\":404,\"message\":");
      }
      assertThat(gw.get("/v1/models").statusCode()).isEqualTo(200);
      assertThat(a.seen).hasSize(1);
      // a closed request queue (as after a reload retired it) is replaced on the next request
      gw.gateway.snapshot().backends().get("api").close();
      assertThat(gw.get("/v1/models").statusCode()).isEqualTo(200);
    }
  }

  @BothTransports
  void serverSentEventsFlowChunkByChunk(String transport) throws Exception {
    CountDownLatch firstSeenByClient = new CountDownLatch(1);
    try (TestUpstream a = new TestUpstream("a");
        GatewayFixture gw =
            new GatewayFixture(
                transport,
                """
                backends:
                  - name: llm
                    endpoints: [{address: "%s"}]
                routes:
                  - name: all
                    backendRefs: [{name: llm}]
                """
                    .formatted(a.address()))) {
      a.behave(
          (ex, n) -> {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write("data: one\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            // the second event is only sent once the client has read the first one
            firstSeenByClient.await(10, TimeUnit.SECONDS);
            out.write("data: two\n\n".getBytes(StandardCharsets.UTF_8));
            out.close();
          });
      HttpResponse<InputStream> r =
          gw.client.send(
              HttpRequest.newBuilder(URI.create(gw.url("/v1/chat/completions"))).GET().build(),
              HttpResponse.BodyHandlers.ofInputStream());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
      try (BufferedReader reader =
          new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        assertThat(reader.readLine()).isEqualTo("data: one");
        firstSeenByClient.countDown();
        assertThat(reader.readLine()).isEmpty();
        assertThat(reader.readLine()).isEqualTo("data: two");
      }
    }
  }
}
