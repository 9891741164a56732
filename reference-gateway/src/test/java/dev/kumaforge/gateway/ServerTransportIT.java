package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import dev.kumaforge.gateway.config.GatewayConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The listeners' socket transport ({@code server.transport}; netty with both {@code server.loops}
 * and both {@code server.front}s): the byte-level behaviour of the connection under both, over real
 * sockets (large bodies, a slow reader, half-close, reset, graceful termination, a port in use).
 */
class ServerTransportIT {
  private static final int MIB = 1 << 20;

  /** Every transport, loop mode and front combination. */
  static java.util.stream.Stream<String> transports() {
    return java.util.stream.Stream.of(
        "pekko",
        "netty, front: pekko",
        "netty, loops: separate, front: pekko",
        "netty",
        "netty, loops: separate");
  }

  private static String config(String transport, TestUpstream u, String extra) {
    return config(transport, u.address(), extra);
  }

  private static String config(String transport, String upstream, String extra) {
    return """
        listeners:
          public: {address: "127.0.0.1:0"}
          admin: {address: "127.0.0.1:0"}
        server: {transport: %s}
        backends:
          - name: b
            endpoints: [{address: "%s"}]
        routes:
          - name: pub
            matches: [{path: {type: PathPrefix, value: /pub}}]
            backendRefs: [{name: b}]
        %s
        """
        .formatted(transport, upstream, extra);
  }

  private static Gateway start(String transport, TestUpstream u, String extra) {
    return Gateway.start(GatewayConfig.parse(config(transport, u, extra), "test"));
  }

  private static InetSocketAddress address(Gateway gw) {
    URI u = URI.create(gw.listeners().get("public"));
    return new InetSocketAddress(u.getHost(), u.getPort());
  }

  private static byte[] pattern(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) ('a' + (i * 7 + i / 4093) % 26);
    }
    return b;
  }

  @ParameterizedTest(name = "server transport {0}")
  @MethodSource("transports")
  void largeBodiesPassBothWays(String transport) throws Exception {
    byte[] upload = pattern(8 * MIB);
    byte[] download = pattern(16 * MIB + 17);
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(transport, u, "")) {
      assertThat(gw.listener("public").transport()).isEqualTo(transport.split(",")[0]);
      assertThat(gw.listener("admin").transport()).isEqualTo(transport.split(",")[0]);
      assertThat(gw.listener("public").front())
          .isEqualTo(
              transport.startsWith("pekko") || transport.contains("front: pekko")
                  ? "pekko"
                  : "netty");
      u.behave(
          (ex, n) -> {
            if (ex.getRequestMethod().equals("POST")) {
              TestUpstream.Seen seen =
                  u.seen.stream().filter(x -> x.method().equals("POST")).findFirst().orElseThrow();
              byte[] got = seen.body().getBytes(StandardCharsets.ISO_8859_1);
              TestUpstream.respond(
                  ex,
                  200,
                  "{\"same\":" + Arrays.equals(got, upload) + ",\"n\":" + got.length + "}");
            } else {
              ex.sendResponseHeaders(200, download.length);
              try (OutputStream out = ex.getResponseBody()) {
                out.write(download);
              }
            }
          });
      java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().build();
      HttpResponse<byte[]> got =
          client.send(
              HttpRequest.newBuilder(URI.create(gw.listeners().get("public") + "/pub/down"))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(got.statusCode()).isEqualTo(200);
      assertThat(Arrays.equals(got.body(), download)).isTrue();
      String up = gw.listeners().get("public") + "/pub/up";
      HttpResponse<String> posted =
          client.send(
              HttpRequest.newBuilder(URI.create(up))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(upload))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(posted.body()).isEqualTo("{\"same\":true,\"n\":" + upload.length + "}");
    }
  }

  /**
   * A run of small requests must not shrink the listener's reads below the size of the next
   * request: a request read in two parts becomes a streamed entity, and a streaming answer whose
   * head returns before Pekko's parser passed the request's end is an "early response", after which
   * Pekko closes the connection (it did for ~5% of the streams of a mixed load).
   */
  @ParameterizedTest(name = "server transport {0}")
  @MethodSource("transports")
  void aStreamAfterManySmallRequestsKeepsItsConnection(String transport) throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(transport, u, "")) {
      u.behave(
          (ex, n) -> {
            if (!ex.getRequestURI().getPath().endsWith("/stream")) {
              TestUpstream.respond(ex, 200, "{\"n\":" + n + "}");
              return;
            }
            streamEvents(ex, 5, "one", "two");
          });
      String small = "{\"q\":\"" + "s".repeat(100) + "\"}";
      String large = "{\"q\":\"" + "l".repeat(600) + "\"}";
      try (Socket s = new Socket()) {
        s.connect(address(gw));
        s.setSoTimeout(10_000);
        for (int round = 0; round < 10; round++) {
          for (int i = 0; i < 30; i++) {
            String head = exchange(s, "/pub/json", small);
            assertThat(head).startsWith("HTTP/1.1 200");
          }
          String head = exchange(s, "/pub/stream", large);
          assertKeptOpen(head, "round " + round);
        }
      }
      assertThat(u.count.get()).isEqualTo(310);
    }
  }

  /**
   * A request whose body comes after its head (two writes, as some clients send them) is streamed
   * into the gateway; the upstream's streaming answer comes back before Pekko's parser passed the
   * end of the request, and without the gateway holding it Pekko closed the connection after it.
   */
  @ParameterizedTest(name = "server transport {0}")
  @MethodSource("transports")
  void aStreamAnsweringABodySentAfterItsHeadKeepsItsConnection(String transport) throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(transport, u, "")) {
      u.behave((ex, n) -> streamEvents(ex, 0, String.valueOf(n)));
      try (Socket s = new Socket()) {
        s.connect(address(gw));
        s.setSoTimeout(10_000);
        for (int i = 0; i < 10; i++) {
          String head = exchange(s, "/pub/stream", "{\"q\":" + i + "}", true);
          assertKeptOpen(head, "request " + i);
        }
      }
      assertThat(u.seen).extracting(TestUpstream.Seen::body).contains("{\"q\":9}");
    }
  }

  /**
   * The hold has a limit: an upstream that answers 200 without reading a large body (which then
   * never ends) gets its answer to the client after the hold, and the connection closes.
   */
  @ParameterizedTest(name = "server transport {0}")
  @ValueSource(strings = {"pekko", "netty, front: pekko", "netty"})
  void anAnswerToABodyTheUpstreamNeverReadsIsNotHeldForever(String transport) throws Exception {
    ExecutorService pool = Executors.newCachedThreadPool();
    try (ServerSocket upstream =
            new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Gateway gw =
            Gateway.start(
                GatewayConfig.parse(
                    config(transport, "127.0.0.1:" + upstream.getLocalPort(), "")
                        .replace(
                            "public: {address: \"127.0.0.1:0\"}",
                            "public: {address: \"127.0.0.1:0\", limits: {maxBodySize: 64MiB}}"),
                    "test"))) {
      Future<?> server =
          pool.submit(
              () -> {
                try (Socket c = upstream.accept()) {
                  InputStream in = c.getInputStream();
                  StringBuilder head = new StringBuilder();
                  while (head.indexOf("\r\n\r\n") < 0) {
                    head.append((char) in.read());
                  }
                  // the body is never read
                  c.getOutputStream()
                      .write(
                          "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
                              .getBytes(StandardCharsets.US_ASCII));
                  c.getOutputStream().flush();
                  Thread.sleep(10_000);
                }
                return null;
              });
      int size = 64 * MIB;
      try (Socket s = new Socket()) {
        s.connect(address(gw));
        s.setSoTimeout(10_000);
        pool.submit(
            () -> {
              OutputStream out = s.getOutputStream();
              out.write(
                  ("POST /pub/up HTTP/1.1\r\nhost: gw\r\ncontent-length: " + size + "\r\n\r\n")
                      .getBytes(StandardCharsets.US_ASCII));
              byte[] chunk = new byte[MIB];
              for (int i = 0; i < 64; i++) {
                out.write(chunk);
              }
              return null;
            });
        long start = System.nanoTime();
        RawHttp.Answer answer = RawHttp.read(s, false);
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(answer.text()).endsWith("ok");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      }
      server.cancel(true);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Answers an SSE stream of {@code events}, {@code gapMillis} apart. */
  private static void streamEvents(HttpExchange ex, long gapMillis, String... events)
      throws IOException, InterruptedException {
    ex.getResponseHeaders().set("Content-Type", "text/event-stream");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      for (int i = 0; i < events.length; i++) {
        if (i > 0) {
          Thread.sleep(gapMillis);
        }
        out.write(("data: " + events[i] + "\n\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    }
  }

  /** A 200 whose connection stays open (no {@code Connection: close}). */
  private static void assertKeptOpen(String head, String what) {
    assertThat(head).as(what).startsWith("HTTP/1.1 200");
    assertThat(head.toLowerCase(java.util.Locale.ROOT))
        .as(what)
        .doesNotContain("connection: close");
  }

  /**
   * Sends one POST on {@code s} in one write; reads its answer whole; returns its head (the whole
   * answer when it is not a 2xx).
   */
  private static String exchange(Socket s, String path, String body) throws IOException {
    return exchange(s, path, body, false);
  }

  /**
   * Sends one POST on {@code s}, with {@code split} its head and body in two writes 20 ms apart;
   * reads its answer whole; returns its head.
   */
  private static String exchange(Socket s, String path, String body, boolean split)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.US_ASCII);
    String request =
        "POST "
            + path
            + " HTTP/1.1\r\nhost: gw\r\ncontent-type: application/json\r\ncontent-length: "
            + b.length
            + "\r\n\r\n";
    if (split) {
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      request = "";
    }
    s.getOutputStream().write((request + body).getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    InputStream in = s.getInputStream();
    StringBuilder got = new StringBuilder();
    while (true) {
      int c = in.read();
      assertThat(c).as("the connection closed after %s", got).isNotNegative();
      got.append((char) c);
      int end = got.indexOf("\r\n\r\n");
      if (end < 0) {
        continue;
      }
      String head = got.substring(0, end);
      String lower = head.toLowerCase(java.util.Locale.ROOT);
      int cl = lower.indexOf("content-length:");
      if (cl >= 0) {
        int eol = lower.indexOf("\r\n", cl);
        long length =
            Long.parseLong(lower.substring(cl + 15, eol < 0 ? lower.length() : eol).trim());
        if (got.length() - end - 4 == length) {
          // an error answer comes back whole: its JSON names the failure kind in the assertion
          return head.startsWith("HTTP/1.1 2") ? head : got.toString();
        }
      } else if (got.length() > end + 4 && got.toString().endsWith("\r\n0\r\n\r\n")) {
        return head;
      }
    }
  }

  @ParameterizedTest(name = "server transport {0}")
  @MethodSource("transports")
  void aSlowReaderStallsTheUpstreamInsteadOfBeingBuffered(String transport) throws Exception {
    long total = 512L * MIB;
    AtomicLong written = new AtomicLong();
    AtomicBoolean cut = new AtomicBoolean();
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(transport, u, "")) {
      u.behave(
          (ex, n) -> {
            ex.sendResponseHeaders(200, total);
            byte[] piece = new byte[64 * 1024];
            try (OutputStream out = ex.getResponseBody()) {
              for (long w = 0; w < total; w += piece.length) {
                out.write(piece);
                written.addAndGet(piece.length);
              }
            } catch (IOException e) {
              cut.set(true);
              throw e;
            }
          });
      try (Socket s = new Socket()) {
        s.setReceiveBufferSize(16 * 1024);
        s.connect(address(gw));
        s.getOutputStream().write(RawHttp.crlf("GET /pub/big HTTP/1.1\nHost: a\n\n"));
        // the client reads nothing: what the upstream could write levels off far below the total
        long[] last = {-1};
        await()
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> {
                  long w = written.get();
                  boolean still = w > 0 && w == last[0];
                  last[0] = w;
                  return still;
                });
        assertThat(written.get()).isLessThan(64L * MIB);
        assertThat(cut).isFalse();
        // reading again lets it go on
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        byte[] buf = new byte[64 * 1024];
        long before = written.get();
        for (long read = 0; read < 128L * MIB; ) {
          int r = in.read(buf);
          assertThat(r).isPositive();
          read += r;
        }
        assertThat(written.get()).isGreaterThan(before);
      }
    }
  }

  @ParameterizedTest(name = "server transport {0}")
  @MethodSource("transports")
  void aHalfCloseClosesTheConnection(String transport) throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(transport, u, "")) {
      try (Socket s = new Socket()) {
        s.connect(address(gw));
        s.setSoTimeout(5_000);
        // a complete request, then FIN: no half-open connection is kept (halfClose = false)
        s.getOutputStream().write(RawHttp.crlf("GET /pub/a HTTP/1.1\nHost: a\n\n"));
        s.shutdownOutput();
        InputStream in = s.getInputStream();
        int r;
        do {
          r = in.read(new byte[4096]);
        } while (r > 0);
        assertThat(r).isEqualTo(-1);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> openConnections(gw) == 0);
      assertThat(gw.listener("public").headerTimeouts()).isZero();
      // and a FIN before any request byte
      try (Socket s = new Socket()) {
        s.connect(address(gw));
        s.setSoTimeout(5_000);
        s.shutdownOutput();
        assertThat(s.getInputStream().read()).isEqualTo(-1);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> openConnections(gw) == 0);
    }
  }

  private static int openConnections(Gateway gw) {
    return gw.listener("public").openConnections();
  }

  @ParameterizedTest(name = "server transport {0}")
  @MethodSource("transports")
  void aClientResetEndsItsConnectionAndTheListenerServesOn(String transport) throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(transport, u, "")) {
      u.behave(
          (ex, n) -> {
            if (ex.getRequestURI().getPath().equals("/pub/hang")) {
              release.await(20, TimeUnit.SECONDS);
            }
            TestUpstream.respond(ex, 200, "{}");
          });
      for (String head :
          new String[] {"GET /pub/hang HTTP/1.1\nHost: a\n\n", "GET /pub/half HTTP/1.1\nHo"}) {
        Socket s = new Socket();
        s.connect(address(gw));
        s.getOutputStream().write(RawHttp.crlf(head));
        await().until(() -> openConnections(gw) == 1);
        s.setSoLinger(true, 0);
        s.close(); // RST
        await().atMost(Duration.ofSeconds(5)).until(() -> openConnections(gw) == 0);
      }
      release.countDown();
      RawHttp.Answer next =
          RawHttp.send(
              gw.listeners().get("public"),
              RawHttp.crlf("GET /pub/next HTTP/1.1\nHost: a\n\n"),
              5_000,
              false);
      assertThat(next.status()).isEqualTo(200);
    }
  }

  @ParameterizedTest(name = "server transport {0}")
  @MethodSource("transports")
  void closeDrainsInFlightRequestsClosesIdleConnectionsAndUnbinds(String transport)
      throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService background = Executors.newCachedThreadPool();
    try (TestUpstream u = new TestUpstream("u")) {
      Gateway gw = start(transport, u, "shutdown: {drainTimeout: 20s}");
      try {
        u.behave(
            (ex, n) -> {
              if (ex.getRequestURI().getPath().equals("/pub/slow")) {
                release.await(20, TimeUnit.SECONDS);
              }
              TestUpstream.respond(ex, 200, "{\"n\":" + n + "}");
            });
        InetSocketAddress address = address(gw);
        Socket idle = new Socket();
        idle.connect(address);
        idle.setSoTimeout(10_000);
        idle.getOutputStream().write(RawHttp.crlf("GET /pub/first HTTP/1.1\nHost: a\n\n"));
        assertThat(RawHttp.read(idle, false).status()).isEqualTo(200);
        Future<RawHttp.Answer> inFlight =
            background.submit(
                () ->
                    RawHttp.send(
                        gw.listeners().get("public"),
                        RawHttp.crlf("GET /pub/slow HTTP/1.1\nHost: a\n\n"),
                        20_000,
                        false));
        await().until(() -> u.count.get() == 2);
        Future<?> closing = background.submit(gw::close);
        // the idle keep-alive connection is closed, the in-flight request still runs
        assertThat(readOrTimeout(idle)).isEqualTo(-1);
        idle.close();
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> !connects(address)); // unbound while draining
        assertThat(closing).isNotDone();
        release.countDown();
        assertThat(inFlight.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        closing.get(10, TimeUnit.SECONDS);
      } finally {
        release.countDown();
        background.shutdownNow();
        gw.close();
      }
    }
  }

  private static boolean connects(InetSocketAddress address) {
    try (Socket s = new Socket()) {
      s.connect(address, 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int readOrTimeout(Socket s) throws IOException {
    try {
      return s.getInputStream().read();
    } catch (SocketTimeoutException e) {
      return -2;
    } catch (IOException e) {
      return -1;
    }
  }

  @ParameterizedTest(name = "server transport {0}")
  @MethodSource("transports")
  void aPortInUseIsAClearErrorNamingTheListener(String transport) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        TestUpstream u = new TestUpstream("u")) {
      String yaml =
          config(transport, u, "")
              .replace(
                  "public: {address: \"127.0.0.1:0\"}",
                  "public: {address: \"127.0.0.1:" + taken.getLocalPort() + "\"}");
      assertThatThrownBy(() -> Gateway.start(GatewayConfig.parse(yaml, "test")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot bind listener public to 127.0.0.1:" + taken.getLocalPort());
    }
  }
}
