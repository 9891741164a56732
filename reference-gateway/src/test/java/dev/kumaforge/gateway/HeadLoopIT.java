package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.gateway.server.ListenerServer;
import dev.kumaforge.gateway.upstream.netty.EventLoops;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Netty server transport with a head loop (real sockets): plain-HTTP connections are accepted
 * and held on the head loop until their first request head has ended, then move to the serving
 * loop. Blocking the head loop shows where a connection lives: a moved one is still served.
 */
class HeadLoopIT {
  private ActorSystem system;
  private EventLoops serving;
  private EventLoops heads;
  private ListenerServer listener;
  private InetSocketAddress address;

  @BeforeEach
  void start() {
    system = ActorSystem.create("head-loop-test", Gateway.pekkoConfig());
    serving = new EventLoops(1, "test-serve");
    heads = new EventLoops(1, "test-head");
    Materializer mat = Materializer.matFromSystem(system);
    GatewayConfig.Listener config =
        GatewayConfig.parse(
                """
                listeners:
                  public: {address: "127.0.0.1:0", headerTimeout: 1s, maxConnections: 50}
                  admin: {address: "127.0.0.1:0"}
                backends: [{name: b, endpoints: [{address: "127.0.0.1:9"}]}]
                routes: [{name: r, backendRefs: [{name: b}]}]
                """,
                "head loop")
            .listeners()
            .get(GatewayConfig.PUBLIC);
    listener =
        ListenerServer.bind(
            system,
            "public",
            config,
            (HttpRequest req) ->
                req.entity()
                    .toStrict(5_000, mat)
                    .thenApply(
                        e ->
                            HttpResponse.create()
                                .withEntity(
                                    ByteString.fromString(
                                        req.getUri().path() + " " + e.getData().utf8String()))),
            serving,
            heads,
            null,
            false);
    URI url = URI.create(listener.url());
    address = new InetSocketAddress(url.getHost(), url.getPort());
  }

  @AfterEach
  void stop() throws Exception {
    listener.terminate(Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    heads.close();
    serving.close();
  }

  private Socket connect() throws Exception {
    Socket s = new Socket();
    s.connect(address, 5_000);
    s.setSoTimeout(5_000);
    return s;
  }

  private static void write(Socket s, String text) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Blocks the head loop until the returned latch is counted down. */
  private CountDownLatch blockHeadLoop() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocked = new CountDownLatch(1);
    heads.execute(
        () -> {
          blocked.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
    return release;
  }

  private void awaitOpen(int expected) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (listener.openConnections() != expected && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(listener.openConnections()).isEqualTo(expected);
  }

  @Test
  void aConnectionWhoseHeadTrickledInIsServedAndReusedWhileTheHeadLoopIsBlocked() throws Exception {
    try (Socket s = connect()) {
      write(s, "GET /first HTTP/1.1\r\n");
      Thread.sleep(100);
      write(s, "Host: x\r\n");
      Thread.sleep(100);
      write(s, "\r\n");
      TlsFixture.Response first = TlsFixture.read(s.getInputStream());
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.body()).isEqualTo("/first ");
      CountDownLatch release = blockHeadLoop();
      try {
        // with the head loop blocked, only a connection that moved off it can be served
        TlsFixture.Response second = TlsFixture.get(s, "/second");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.body()).isEqualTo("/second ");
        assertThat(listener.openConnections()).isEqualTo(1);
      } finally {
        release.countDown();
      }
    }
    awaitOpen(0);
  }

  @Test
  void bytesSentWithTheFirstHeadAndDuringTheMoveAreNotLost() throws Exception {
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        Socket s = connect();
        sockets.add(s);
        // odd: a POST with its body and a pipelined GET in one write; even: the head and part of
        // the body, the rest once every connection is open (after its move)
        write(
            s,
            "POST /p"
                + i
                + " HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello"
                + (i % 2 == 0 ? "" : "worldGET /g" + i + " HTTP/1.1\r\nHost: x\r\n\r\n"));
      }
      for (int i = 0; i < sockets.size(); i += 2) {
        write(sockets.get(i), "world" + "GET /g" + i + " HTTP/1.1\r\nHost: x\r\n\r\n");
      }
      awaitOpen(40);
      for (int i = 0; i < sockets.size(); i++) {
        InputStream in = sockets.get(i).getInputStream();
        assertThat(TlsFixture.read(in).body()).isEqualTo("/p" + i + " helloworld");
        assertThat(TlsFixture.read(in).body()).isEqualTo("/g" + i + " ");
      }
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
    awaitOpen(0);
  }

  @Test
  void aConnectionStillInItsHeadIsClosedAtTheDeadlineAndMaxConnectionsCountsMovedOnes()
      throws Exception {
    List<Socket> served = new ArrayList<>();
    try (Socket trickling = connect()) {
      write(trickling, "GET /never HTTP/1.1\r\n");
      for (int i = 0; i < 49; i++) {
        Socket s = connect();
        served.add(s);
        assertThat(TlsFixture.get(s, "/s" + i).status()).isEqualTo(200);
      }
      awaitOpen(50);
      try (Socket over = connect()) {
        // the 51st connection is over maxConnections: closed at once, nothing answered
        assertThat(over.getInputStream().read()).isEqualTo(-1);
      }
      long start = System.nanoTime();
      assertThat(trickling.getInputStream().read()).isEqualTo(-1);
      assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(3));
      assertThat(listener.headerTimeouts()).isEqualTo(1);
      awaitOpen(49);
      assertThat(listener.refusedConnections()).isEqualTo(1);
      assertThat(TlsFixture.get(served.get(0), "/again").status()).isEqualTo(200);
    } finally {
      for (Socket s : served) {
        s.close();
      }
    }
    awaitOpen(0);
  }
}
