package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

  @BothTransports
  void aKeepAliveConnectionClosedByTheUpstreamIsNotReused(String transport) throws Exception {
    // an upstream that answers with keep-alive and then closes the idle connection anyway
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try (Socket s = server.accept()) {
                    accepted.incrementAndGet();
                    InputStream in = s.getInputStream();
                    String head = readHead(in);
                    int length = contentLength(head);
                    in.readNBytes(length);
                    s.getOutputStream()
                        .write(
                            ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: 2\r\n\r\n{}")
                                .getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                  } catch (IOException e) {
                    // closed
                  }
                  closed.incrementAndGet();
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      try (GatewayFixture gw =
          new GatewayFixture(
              transport,
              """
              backends:
                - name: api
                  endpoints: [{address: "127.0.0.1:%d"}]
              routes:
                - name: all
                  backendRefs: [{name: api}]
              """
                  .formatted(server.getLocalPort()))) {
        assertThat(gw.post("/v1/x", "{\"a\":1}").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> closed.get() == 1);
        // the gateway notices the close while the connection idles (its event loop reads the FIN
        // within a few ms): this POST, never retried, goes over a new connection
        await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> true);
        HttpResponse<String> second = gw.post("/v1/x", "{\"a\":2}");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(accepted.get()).isEqualTo(2);
      }
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      sb.append((char) c);
      if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return sb.toString();
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring(15).trim());
      }
    }
    return 0;
  }
}
