package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.gateway.config.GatewayConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP/1.1 semantics at the client side of the gateway under both fronts ({@code server.front}):
 * pipelined requests answered in order, HEAD with the upstream's Content-Length and no body,
 * HTTP/1.0 keep-alive and close, {@code Expect: 100-continue}, a 204 without body on a kept
 * connection, and an event stream passed on event by event (never buffered).
 */
class HttpFrontIT {
  private static Gateway start(String front, String upstream) {
    return Gateway.start(
        GatewayConfig.parse(
            """
            listeners:
              public: {address: "127.0.0.1:0"}
              admin: {address: "127.0.0.1:0"}
            server: {front: %s}
            backends:
              - name: b
                endpoints: [{address: "%s"}]
            routes:
              - name: r
                backendRefs: [{name: b}]
            """
                .formatted(front, upstream),
            "front"));
  }

  private static Socket connect(Gateway gw) throws IOException {
    URI u = URI.create(gw.listeners().get("public"));
    Socket s = new Socket(u.getHost(), u.getPort());
    s.setSoTimeout(10_000);
    return s;
  }

  private static void write(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(RawHttp.crlf(text));
    out.flush();
  }

  private static String body(InputStream in, String head) throws IOException {
    int n = Integer.parseInt(RawHttp.header(head, "Content-Length"));
    return new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
  }

  @ParameterizedTest(name = "front {0}")
  @ValueSource(strings = {"pekko", "netty"})
  void pipelinedRequestsAreAnsweredInOrder(String front) throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(front, u.address());
        Socket s = connect(gw)) {
      u.behave(
          (ex, n) -> {
            if (ex.getRequestURI().getPath().equals("/slow")) {
              Thread.sleep(200); // the second request's answer is ready first, if it ran at once
            }
            TestUpstream.respond(ex, 200, "\"" + ex.getRequestURI().getPath() + "\"");
          });
      write(
          s,
          "GET /slow HTTP/1.1\nHost: a\n\nGET /fast HTTP/1.1\nHost: a\n\n"
              + "POST /post HTTP/1.1\nHost: a\nContent-Length: 3\n\nabc");
      InputStream in = s.getInputStream();
      List<String> bodies = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String head = RawHttp.head(in);
        assertThat(head).startsWith("HTTP/1.1 200");
        bodies.add(body(in, head));
      }
      assertThat(bodies).containsExactly("\"/slow\"", "\"/fast\"", "\"/post\"");
      assertThat(u.seen).extracting(TestUpstream.Seen::body).contains("abc");
    }
  }

  @ParameterizedTest(name = "front {0}")
  @ValueSource(strings = {"pekko", "netty"})
  void headKeepsTheUpstreamsContentLengthAndSendsNoBody(String front) throws Exception {
    try (ServerSocket upstream = new ServerSocket(0);
        Gateway gw = start(front, "127.0.0.1:" + upstream.getLocalPort());
        Socket s = connect(gw)) {
      Thread server = new Thread(() -> serveHeads(upstream));
      server.setDaemon(true);
      server.start();
      InputStream in = s.getInputStream();
      for (int i = 0; i < 2; i++) { // the connection is reused after a HEAD
        write(s, "HEAD /h HTTP/1.1\nHost: a\n\n");
        String head = RawHttp.head(in);
        assertThat(head).startsWith("HTTP/1.1 200");
        assertThat(RawHttp.header(head, "Content-Length")).isEqualTo("1234");
      }
      write(s, "GET /g HTTP/1.1\nHost: a\n\n");
      String head = RawHttp.head(in);
      assertThat(head).as("no HEAD body bytes before the next answer").startsWith("HTTP/1.1 200");
      assertThat(body(in, head)).isEqualTo("ok");
    }
  }

  /** Answers HEAD with a length and no body, GET with "ok", on kept connections. */
  private static void serveHeads(ServerSocket server) {
    while (!server.isClosed()) {
      try {
        Socket c = server.accept();
        Thread t =
            new Thread(
                () -> {
                  try (c) {
                    InputStream in = c.getInputStream();
                    while (true) {
                      String head = RawHttp.head(in);
                      if (head.isEmpty()) {
                        return;
                      }
                      String answer =
                          head.startsWith("HEAD")
                              ? "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                                  + "Content-Length: 1234\r\n\r\n"
                              : "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                                  + "Content-Length: 2\r\n\r\nok";
                      c.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
                      c.getOutputStream().flush();
                    }
                  } catch (IOException e) {
                    // the gateway closed the connection
                  }
                });
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  @ParameterizedTest(name = "front {0}")
  @ValueSource(strings = {"pekko", "netty"})
  void http10KeepsTheConnectionOnlyWhenAskedTo(String front) throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(front, u.address())) {
      try (Socket s = connect(gw)) {
        InputStream in = s.getInputStream();
        for (int i = 0; i < 2; i++) {
          write(s, "GET /k HTTP/1.0\nHost: a\nConnection: keep-alive\n\n");
          String head = RawHttp.head(in);
          assertThat(head).startsWith("HTTP/1.1 200");
          assertThat(RawHttp.header(head, "Connection")).isEqualToIgnoringCase("keep-alive");
          assertThat(body(in, head)).contains("upstream");
        }
      }
      try (Socket s = connect(gw)) {
        write(s, "GET /c HTTP/1.0\nHost: a\n\n");
        RawHttp.Answer a = RawHttp.read(s, true);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.closed()).as("closed after an HTTP/1.0 answer").isTrue();
      }
    }
  }

  @ParameterizedTest(name = "front {0}")
  @ValueSource(strings = {"pekko", "netty"})
  void expectContinueGetsA100BeforeTheBodyIsSent(String front) throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(front, u.address());
        Socket s = connect(gw)) {
      write(s, "POST /e HTTP/1.1\nHost: a\nContent-Length: 5\nExpect: 100-continue\n\n");
      InputStream in = s.getInputStream();
      String interim = RawHttp.head(in);
      assertThat(interim).startsWith("HTTP/1.1 100");
      s.getOutputStream().write("hello".getBytes(StandardCharsets.ISO_8859_1));
      String head = RawHttp.head(in);
      assertThat(head).startsWith("HTTP/1.1 200");
      body(in, head);
      assertThat(u.seen).extracting(TestUpstream.Seen::body).containsExactly("hello");
    }
  }

  @ParameterizedTest(name = "front {0}")
  @ValueSource(strings = {"pekko", "netty"})
  void a204HasNoBodyAndKeepsTheConnection(String front) throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(front, u.address());
        Socket s = connect(gw)) {
      u.behave(
          (ex, n) -> {
            if (ex.getRequestURI().getPath().equals("/none")) {
              ex.sendResponseHeaders(204, -1);
            } else {
              TestUpstream.respond(ex, 200, "{}");
            }
          });
      InputStream in = s.getInputStream();
      write(s, "DELETE /none HTTP/1.1\nHost: a\n\n");
      String head = RawHttp.head(in);
      assertThat(head).startsWith("HTTP/1.1 204");
      assertThat(RawHttp.header(head, "Transfer-Encoding")).isNull();
      write(s, "GET /next HTTP/1.1\nHost: a\n\n");
      head = RawHttp.head(in);
      assertThat(head).startsWith("HTTP/1.1 200");
      assertThat(body(in, head)).isEqualTo("{}");
    }
  }

  @ParameterizedTest(name = "front {0}")
  @ValueSource(strings = {"pekko", "netty"})
  void anEventStreamIsPassedOnEventByEvent(String front) throws Exception {
    CountDownLatch firstSeen = new CountDownLatch(1);
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(front, u.address());
        Socket s = connect(gw)) {
      u.behave(
          (ex, n) -> {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write("data: one\n\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // the second event only once the client has the first: a front that buffers the
            // stream never gets it there
            firstSeen.await(10, TimeUnit.SECONDS);
            out.write("data: two\n\n".getBytes(StandardCharsets.US_ASCII));
            out.close();
          });
      write(s, "GET /sse HTTP/1.1\nHost: a\n\n");
      InputStream in = s.getInputStream();
      String head = RawHttp.head(in);
      assertThat(head).startsWith("HTTP/1.1 200");
      assertThat(RawHttp.header(head, "Transfer-Encoding")).isEqualToIgnoringCase("chunked");
      StringBuilder got = new StringBuilder();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!got.toString().contains("data: one") && System.nanoTime() < until) {
        int c = in.read();
        if (c < 0) {
          break;
        }
        got.append((char) c);
      }
      assertThat(got.toString()).contains("data: one");
      assertThat(got.toString()).doesNotContain("data: two");
      firstSeen.countDown();
      while (!got.toString().endsWith("0\r\n\r\n")) {
        int c = in.read();
        if (c < 0) {
          break;
        }
        got.append((char) c);
      }
      assertThat(got.toString()).contains("data: two").endsWith("0\r\n\r\n");
    }
  }
}
