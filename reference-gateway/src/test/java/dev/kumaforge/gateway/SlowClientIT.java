package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RELIABILITY 13 and 15 at the listener: slow-header connections are closed at the header deadline
 * while normal requests succeed, a response streaming longer than the deadline is not cut, and
 * connections beyond {@code maxConnections} are refused without disturbing open ones.
 */
class SlowClientIT {
  private static String config(String front, TestUpstream u, String listener) {
    return """
        listeners:
          public: {address: "127.0.0.1:0", %s}
          admin: {address: "127.0.0.1:0"}
        server: {front: %s}
        backends: [{name: b, endpoints: [{address: "%s"}]}]
        routes: [{name: r, backendRefs: [{name: b}]}]
        """
        .formatted(listener, front, u.address());
  }

  private static Gateway start(String front, TestUpstream u, String listener) {
    return Gateway.start(
        dev.kumaforge.gateway.config.GatewayConfig.parse(config(front, u, listener), "test"));
  }

  private static InetSocketAddress address(Gateway gw) {
    URI u = URI.create(gw.listeners().get("public"));
    return new InetSocketAddress(u.getHost(), u.getPort());
  }

  @ParameterizedTest(name = "front {0}")
  @ValueSource(strings = {"pekko", "netty"})
  void tricklingHeadersAreClosedAtTheDeadlineWhileNormalRequestsSucceed(String front)
      throws Exception {
    int tricklers = 300;
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(front, u, "headerTimeout: 1s")) {
      List<SocketChannel> open = new ArrayList<>();
      for (int i = 0; i < tricklers; i++) {
        SocketChannel c = SocketChannel.open(address(gw));
        c.write(ascii("GET /slow HTTP/1.1\r\nHost: x\r\n"));
        c.configureBlocking(false);
        open.add(c);
      }
      long started = System.nanoTime();
      java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
      int normal = 0;
      int closed = 0;
      ByteBuffer sink = ByteBuffer.allocate(256);
      long lastTrickle = started;
      while (!open.isEmpty() && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(15)) {
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(URI.create(gw.listeners().get("public") + "/ok")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        normal++;
        boolean trickle = System.nanoTime() - lastTrickle > TimeUnit.MILLISECONDS.toNanos(200);
        if (trickle) {
          lastTrickle = System.nanoTime();
        }
        for (var it = open.iterator(); it.hasNext(); ) {
          SocketChannel c = it.next();
          boolean gone;
          try {
            if (trickle) {
              c.write(ascii("x-t: 1\r\n"));
            }
            sink.clear();
            gone = c.read(sink) < 0;
          } catch (IOException e) {
            gone = true;
          }
          if (gone) {
            assertThat(System.nanoTime() - started)
                .isGreaterThan(TimeUnit.MILLISECONDS.toNanos(900));
            c.close();
            it.remove();
            closed++;
          }
        }
      }
      assertThat(closed).isEqualTo(tricklers);
      assertThat(gw.listener("public").headerTimeouts()).isGreaterThanOrEqualTo(tricklers);
      assertThat(u.seen).allMatch(s -> s.path().equals("/ok"));
      assertThat(u.count.get()).isEqualTo(normal);
    }
  }

  @ParameterizedTest(name = "front {0}")
  @ValueSource(strings = {"pekko", "netty"})
  void anIdleKeepAliveConnectionOutlivesTheDeadlineButASlowNextRequestDoesNot(String front)
      throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(front, u, "headerTimeout: 500ms")) {
      u.behave(
          (ex, n) -> {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            for (int i = 0; i < 6; i++) {
              out.write(("data: " + i + "\n\n").getBytes(StandardCharsets.US_ASCII));
              out.flush();
              Thread.sleep(250); // the upstream's pace: 1.5 s, three header deadlines
            }
          });
      try (Socket s = new Socket()) {
        s.connect(address(gw));
        s.setSoTimeout(10_000);
        var in = s.getInputStream();
        var out = s.getOutputStream();
        out.write("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        // the whole chunked stream arrives although it lasts three header deadlines
        assertThat(readUntil(in, "0\r\n\r\n")).contains("data: 0").contains("data: 5");
        // idle for three deadlines: a pooled keep-alive connection stays usable
        Thread.sleep(1_500);
        assertThat(gw.listener("public").headerTimeouts()).isZero();
        // a next request whose head never ends is closed one deadline after its first byte
        long sent = System.nanoTime();
        out.write("GET /stream HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(in.read()).isEqualTo(-1);
        assertThat(System.nanoTime() - sent).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(400));
      }
      assertThat(gw.listener("public").headerTimeouts()).isEqualTo(1);
      assertThat(u.count.get()).isEqualTo(1);
    }
  }

  private static String readUntil(java.io.InputStream in, String end) throws IOException {
    StringBuilder b = new StringBuilder();
    while (b.indexOf(end) < 0) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      b.append((char) c);
    }
    return b.toString();
  }

  @ParameterizedTest(name = "front {0}")
  @ValueSource(strings = {"pekko", "netty"})
  void connectionsBeyondTheMaximumAreRefusedAndOpenOnesKeepWorking(String front) throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(front, u, "maxConnections: 3, headerTimeout: 30s")) {
      List<Socket> held = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Socket s = new Socket();
        s.connect(address(gw));
        s.setSoTimeout(5_000);
        held.add(s);
      }
      await().until(() -> gw.listener("public").openConnections() == 3);
      try (Socket extra = new Socket()) {
        extra.connect(address(gw));
        extra.setSoTimeout(5_000);
        assertThat(readOrTimeout(extra)).isEqualTo(-1);
      }
      assertThat(gw.listener("public").refusedConnections()).isEqualTo(1);
      assertThat(TlsFixture.get(held.get(0), "/still-served").status()).isEqualTo(200);
      held.get(1).close();
      held.get(2).close();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> gw.listener("public").openConnections() == 1);
      try (Socket again = new Socket()) {
        again.connect(address(gw));
        again.setSoTimeout(5_000);
        assertThat(TlsFixture.get(again, "/recovered").status()).isEqualTo(200);
      }
      held.get(0).close();
      assertThat(u.seen)
          .extracting(TestUpstream.Seen::path)
          .containsExactly("/still-served", "/recovered");
    }
  }

  @ParameterizedTest(name = "front {0}")
  @ValueSource(strings = {"pekko", "netty"})
  void aHeadArrivingByteByByteWithinTheDeadlineIsServed(String front) throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(front, u, "headerTimeout: 4s")) {
      byte[] head = "GET /pieces HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
      try (Socket s = new Socket()) {
        s.connect(address(gw));
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        OutputStream out = s.getOutputStream();
        // about 2 s in one-byte segments: the connection stays in its header phase all along
        for (byte b : head) {
          out.write(b);
          out.flush();
          Thread.sleep(2_000 / head.length);
        }
        assertThat(TlsFixture.read(s.getInputStream()).status()).isEqualTo(200);
        // the same connection serves a next request (the HTTP stack stays materialized)
        assertThat(TlsFixture.get(s, "/next").status()).isEqualTo(200);
      }
      assertThat(gw.listener("public").headerTimeouts()).isZero();
      assertThat(u.seen).extracting(TestUpstream.Seen::path).containsExactly("/pieces", "/next");
    }
  }

  @ParameterizedTest(name = "front {0}")
  @ValueSource(strings = {"pekko", "netty"})
  void gracefulShutdownClosesConnectionsStillInTheirFirstHeadAndDrainsRequests(String front)
      throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    try (TestUpstream u = new TestUpstream("u")) {
      Gateway gw =
          Gateway.start(
              dev.kumaforge.gateway.config.GatewayConfig.parse(
                  config(front, u, "headerTimeout: 60s") + "shutdown: {drainTimeout: 30s}\n",
                  "test"));
      java.util.concurrent.ExecutorService background =
          java.util.concurrent.Executors.newCachedThreadPool();
      try {
        u.behave(
            (ex, n) -> {
              release.await(30, TimeUnit.SECONDS);
              TestUpstream.respond(ex, 200, "{\"drained\":true}");
            });
        Socket inFlight = new Socket();
        inFlight.connect(address(gw));
        inFlight.setSoTimeout(30_000);
        java.util.concurrent.Future<TlsFixture.Response> drained =
            background.submit(() -> TlsFixture.get(inFlight, "/in-flight"));
        await().until(() -> u.count.get() == 1);
        List<Socket> partial = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          Socket s = new Socket();
          s.connect(address(gw));
          s.setSoTimeout(10_000);
          if (i > 0) { // one sent nothing yet, two are halfway through their head
            s.getOutputStream().write(ascii("GET /never HTTP/1.1\r\nHost: x\r\n").array());
          }
          partial.add(s);
        }
        await().until(() -> gw.listener("public").openConnections() == 4);
        java.util.concurrent.Future<?> closing = background.submit(gw::close);
        // closed by the shutdown although the header deadline (60 s) and the drain (30 s) are far
        for (Socket s : partial) {
          assertThat(readOrTimeout(s)).isEqualTo(-1);
          s.close();
        }
        assertThat(closing).isNotDone();
        release.countDown();
        assertThat(drained.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        closing.get(10, TimeUnit.SECONDS);
        inFlight.close();
        assertThat(gw.listener("public").headerTimeouts()).isZero();
        assertThat(u.seen).extracting(TestUpstream.Seen::path).containsExactly("/in-flight");
      } finally {
        release.countDown();
        background.shutdownNow();
        gw.close();
      }
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

  private static ByteBuffer ascii(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }
}
