package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
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
                    String head = RawHttp.head(in);
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
      try (GatewayFixture gw = GatewayFixture.toUpstream(transport, server.getLocalPort(), "")) {
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

  /**
   * An upstream may answer before the request body has ended and keep the connection (it would read
   * the rest afterwards). A request written there would land in the middle of that body (a 502, or
   * two corrupted requests): both transports close such a connection instead of reusing it, as
   * nginx does.
   */
  @BothTransports
  void aConnectionAnsweredBeforeItsRequestBodyEndedIsNotReused(String transport) throws Exception {
    List<String> received = Collections.synchronizedList(new ArrayList<>());
    try (ServerSocket server = upstreamLogging(true, received);
        GatewayFixture gw = GatewayFixture.toUpstream(transport, server.getLocalPort(), "");
        Socket a = connect(gw)) {
      OutputStream out = a.getOutputStream();
      out.write(
          "POST /v1/a HTTP/1.1\r\nhost: gw\r\ncontent-length: 10\r\n\r\n01234"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // the upstream has answered A while A's body is still coming
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> received.contains("connection 1: answered /v1/a"));
      await().pollDelay(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1)).until(() -> true);
      HttpResponse<String> b = gw.get("/v1/b");
      assertThat(b.statusCode()).as(b.body()).isEqualTo(200);
      out.write("56789".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      RawHttp.Answer answer = RawHttp.read(a, false);
      assertThat(answer.status()).as(answer.text()).isEqualTo(200);
      assertThat(received)
          .contains("connection 2: answered /v1/b")
          .noneMatch(r -> r.contains("bad head"));
    }
  }

  /**
   * The other side of the test above: a body that came in two reads ends on the wire with its last
   * byte, before the upstream (which reads it whole first) answers, so the connection is reused.
   * Each of the 20 rounds is a race between the body's end and the answer it provokes.
   */
  @BothTransports
  void aConnectionWhoseStreamedBodyEndedBeforeItsAnswerIsReused(String transport) throws Exception {
    List<String> received = Collections.synchronizedList(new ArrayList<>());
    try (ServerSocket server = upstreamLogging(false, received);
        GatewayFixture gw = GatewayFixture.toUpstream(transport, server.getLocalPort(), "");
        Socket a = connect(gw)) {
      OutputStream out = a.getOutputStream();
      for (int i = 0; i < 20; i++) {
        out.write(
            "POST /v1/a HTTP/1.1\r\nhost: gw\r\ncontent-length: 10\r\n\r\n01234"
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        await().pollDelay(Duration.ofMillis(20)).atMost(Duration.ofSeconds(1)).until(() -> true);
        out.write("56789".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        RawHttp.Answer answer = RawHttp.read(a, false);
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
      }
      assertThat(received)
          .filteredOn(r -> r.contains("body of /v1/a: 0123456789"))
          .hasSize(20)
          .allMatch(r -> r.startsWith("connection 1: "));
    }
  }

  /**
   * A raw upstream on port 0 whose connections are served by {@link #answerFirstThenRead} ({@code
   * answerFirst}) or answer each request after reading its body; every connection on a thread of
   * its own.
   */
  private static ServerSocket upstreamLogging(boolean answerFirst, List<String> log)
      throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              for (int n = 1; !server.isClosed(); n++) {
                try {
                  Socket s = server.accept();
                  String conn = "connection " + n + ": ";
                  Thread t = new Thread(() -> answerFirstThenRead(s, conn, log, answerFirst));
                  t.setDaemon(true);
                  t.start();
                } catch (IOException e) {
                  // closed
                }
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();
    return server;
  }

  private static Socket connect(GatewayFixture gw) throws IOException {
    URI u = URI.create(gw.url("/"));
    Socket s = new Socket();
    s.connect(new InetSocketAddress(u.getHost(), u.getPort()));
    s.setSoTimeout(10_000);
    return s;
  }

  /**
   * Serves one connection: per request, answers from the head alone (keep-alive) and then reads the
   * body, or with {@code answerFirst} false the other way round; records what it did in {@code
   * log}, each line starting with {@code conn} ("bad head" for a head that is not a request line).
   */
  private static void answerFirstThenRead(
      Socket s, String conn, List<String> log, boolean answerFirst) {
    try (s) {
      InputStream in = s.getInputStream();
      while (true) {
        String head = RawHttp.head(in);
        if (head.isEmpty()) {
          return;
        }
        String[] line = head.split("\r\n", 2)[0].split(" ");
        if (line.length != 3 || !line[2].equals("HTTP/1.1")) {
          log.add(conn + "bad head: " + head);
          return;
        }
        if (answerFirst) {
          answer(s, conn, line[1], log);
        }
        int length = contentLength(head);
        if (length > 0) {
          log.add(
              conn
                  + "body of "
                  + line[1]
                  + ": "
                  + new String(in.readNBytes(length), StandardCharsets.US_ASCII));
        }
        if (!answerFirst) {
          answer(s, conn, line[1], log);
        }
      }
    } catch (IOException e) {
      log.add(conn + "closed: " + e);
    }
  }

  private static void answer(Socket s, String conn, String path, List<String> log)
      throws IOException {
    s.getOutputStream()
        .write(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
                .getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    log.add(conn + "answered " + path);
  }

  private static int contentLength(String head) {
    String v = RawHttp.header(head, "content-length");
    return v == null ? 0 : Integer.parseInt(v);
  }
}
