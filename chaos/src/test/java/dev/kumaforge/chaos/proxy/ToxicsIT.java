package dev.kumaforge.chaos.proxy;

import static dev.kumaforge.chaos.proxy.ProxyFixture.connect;
import static dev.kumaforge.chaos.proxy.ProxyFixture.readAll;
import static dev.kumaforge.chaos.proxy.ProxyFixture.readN;
import static dev.kumaforge.chaos.proxy.ProxyFixture.toxic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kumaforge.chaos.ChaosProxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One test per toxic over real sockets, plus toxicity and enable/disable. */
class ToxicsIT {
  static ChaosProxy chaos;
  static TestServers.Server echo;
  static ProxyRegistry r;
  ProxyState proxy;

  @BeforeAll
  static void up() throws IOException {
    chaos = ProxyFixture.start();
    echo = TestServers.echo();
    r = chaos.registry();
  }

  @AfterAll
  static void down() throws IOException {
    chaos.close();
    echo.close();
  }

  @BeforeEach
  void proxy() {
    r.proxies().keySet().forEach(r::delete);
    proxy = r.create(new ProxySpec("echo", "127.0.0.1:0", echo.address(), true));
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + 7);
    }
    return b;
  }

  private static void send(Socket s, byte[] b) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(b);
    out.flush();
  }

  @Test
  void noToxicsPassesBytesAndEndOfStream() throws IOException {
    byte[] data = bytes(200_000);
    try (Socket s = connect(proxy)) {
      send(s, data);
      s.shutdownOutput();
      assertThat(readAll(s.getInputStream())).isEqualTo(data);
    }
  }

  @Test
  void latencyDelaysAndRemovalReleasesHeldBytes() throws IOException {
    r.addToxic("echo", toxic(r, "latency", "downstream", 1, Map.of("latency", 300L)));
    try (Socket s = connect(proxy)) {
      long t0 = System.nanoTime();
      send(s, "ping".getBytes(StandardCharsets.US_ASCII));
      assertThat(readN(s.getInputStream(), 4)).asString().isEqualTo("ping");
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .isGreaterThanOrEqualTo(Duration.ofMillis(290));

      r.updateToxic("echo", "latency_downstream", Map.of("latency", 60_000L), null);
      send(s, "held".getBytes(StandardCharsets.US_ASCII));
      // The bytes are inside the toxic (4 + 4 bytes entered it) before it is removed.
      await()
          .until(
              () ->
                  metric(
                          r.metricsText(),
                          "chaos_toxic_bytes_total{proxy=\"echo\",stream=\"downstream\",toxic=\"latency_downstream\"")
                      >= 8);
      r.removeToxic("echo", "latency_downstream");
      assertThat(readN(s.getInputStream(), 4)).asString().isEqualTo("held");
    }
  }

  @Test
  void bandwidthThrottlesWithoutLosingBytes() throws IOException {
    r.addToxic("echo", toxic(r, "bandwidth", "downstream", 1, Map.of("rate", 10L)));
    byte[] data = bytes(4000);
    try (Socket s = connect(proxy)) {
      long t0 = System.nanoTime();
      send(s, data);
      assertThat(readN(s.getInputStream(), data.length)).isEqualTo(data);
      // 4000 bytes at 10 KB/s take 400 ms.
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .isGreaterThanOrEqualTo(Duration.ofMillis(350));
    }
  }

  @Test
  void slowCloseDelaysTheEndOfStream() throws IOException {
    try (TestServers.Server sender =
        TestServers.sender("bye".getBytes(StandardCharsets.US_ASCII))) {
      r.update("echo", null, sender.address(), null);
      ProxyState p = r.get("echo");
      r.addToxic("echo", toxic(r, "slow_close", "downstream", 1, Map.of("delay", 400L)));
      try (Socket s = connect(p)) {
        long t0 = System.nanoTime();
        assertThat(readAll(s.getInputStream())).asString().isEqualTo("bye");
        assertThat(Duration.ofNanos(System.nanoTime() - t0))
            .isGreaterThanOrEqualTo(Duration.ofMillis(380));
      }
    }
  }

  @Test
  void timeoutDropsDataAndClosesAfterTheTimeout() throws IOException {
    r.addToxic("echo", toxic(r, "timeout", "upstream", 1, Map.of("timeout", 300L)));
    try (Socket s = connect(proxy)) {
      long t0 = System.nanoTime();
      send(s, "lost".getBytes(StandardCharsets.US_ASCII));
      assertThat(s.getInputStream().read()).isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .isGreaterThanOrEqualTo(Duration.ofMillis(280));
    }
  }

  @Test
  void timeoutZeroHoldsUntilRemoved() throws IOException {
    r.addToxic("echo", toxic(r, "timeout", "downstream", 1, Map.of("timeout", 0L)));
    try (Socket s = connect(proxy)) {
      s.setSoTimeout(500);
      send(s, "x".getBytes(StandardCharsets.US_ASCII));
      assertThatThrownBy(() -> s.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
      s.setSoTimeout(10_000);
      r.removeToxic("echo", "timeout_downstream");
      // As in Toxiproxy, removing a timeout ends the stream: the dropped bytes are gone.
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void resetPeerResetsTheConnection() throws IOException {
    r.addToxic("echo", toxic(r, "reset_peer", "upstream", 1, Map.of("timeout", 0L)));
    try (Socket s = connect(proxy)) {
      send(s, "x".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      assertThatThrownBy(() -> in.read())
          .isInstanceOf(SocketException.class)
          .hasMessageContaining("reset");
    }
  }

  @Test
  void slicerCutsChunksIntoSlicesInOrder() throws IOException {
    r.addToxic(
        "echo",
        toxic(
            r,
            "slicer",
            "upstream",
            1,
            Map.of("average_size", 10L, "size_variation", 4L, "delay", 20_000L)));
    byte[] data = bytes(120);
    int before = echo.reads.get();
    try (Socket s = connect(proxy)) {
      send(s, data);
      assertThat(readN(s.getInputStream(), data.length)).isEqualTo(data);
    }
    // 120 bytes in slices of 6 to 14 bytes, 20 ms apart: the upstream sees many small reads.
    assertThat(echo.reads.get() - before).isGreaterThanOrEqualTo(5);
  }

  @Test
  void limitDataPassesTheLimitThenCloses() throws IOException {
    r.addToxic("echo", toxic(r, "limit_data", "downstream", 1, Map.of("bytes", 100L)));
    byte[] data = bytes(300);
    try (Socket s = connect(proxy)) {
      send(s, data);
      byte[] got = readAll(s.getInputStream());
      assertThat(got).isEqualTo(Arrays.copyOf(data, 100));
    }
  }

  @Test
  void toxicityDecidesPerConnection() throws IOException {
    r.addToxic("echo", toxic(r, "timeout", "downstream", 0.0, Map.of("timeout", 0L)));
    try (Socket s = connect(proxy)) {
      send(s, "ok".getBytes(StandardCharsets.US_ASCII));
      assertThat(readN(s.getInputStream(), 2)).asString().isEqualTo("ok");
    }
    r.removeToxic("echo", "timeout_downstream");
    await()
        .until(() -> metric(r.metricsText(), "chaos_proxy_connections_active{proxy=\"echo\"") == 0);
    r.addToxic("echo", toxic(r, "noop", "upstream", 0.5, Map.of()));
    for (int i = 0; i < 30; i++) {
      try (Socket s = connect(proxy)) {
        send(s, "a".getBytes(StandardCharsets.US_ASCII));
        readN(s.getInputStream(), 1);
      }
    }
    String metrics = r.metricsText();
    long hit =
        metric(
            metrics,
            "chaos_toxic_connections_total{proxy=\"echo\",stream=\"upstream\",toxic=\"noop_upstream\"");
    long miss =
        metric(
            metrics,
            "chaos_toxic_skipped_connections_total{proxy=\"echo\",stream=\"upstream\",toxic=\"noop_upstream\"");
    assertThat(hit + miss).isEqualTo(30);
    assertThat(hit).isBetween(3L, 27L);
  }

  static long metric(String text, String prefix) {
    return text.lines()
        .filter(l -> l.startsWith(prefix))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no metric " + prefix + " in\n" + text));
  }

  @Test
  void disabledProxyIsDownAndCutsConnections() throws IOException {
    try (Socket s = connect(proxy)) {
      send(s, "1".getBytes(StandardCharsets.US_ASCII));
      readN(s.getInputStream(), 1);
      ProxyState down = r.update("echo", null, null, false);
      assertThat(down.enabled()).isFalse();
      try {
        assertThat(s.getInputStream().read()).isEqualTo(-1);
      } catch (SocketException e) {
        assertThat(e.getMessage()).contains("reset");
      }
    }
    assertThatThrownBy(() -> connect(proxy)).isInstanceOf(ConnectException.class);
    ProxyState up = r.update("echo", null, null, true);
    assertThat(up.listen()).isEqualTo(proxy.listen());
    try (Socket s = connect(up)) {
      send(s, "2".getBytes(StandardCharsets.US_ASCII));
      assertThat(readN(s.getInputStream(), 1)).asString().isEqualTo("2");
    }
    String metrics = r.metricsText();
    assertThat(metric(metrics, "chaos_proxy_connections_total{proxy=\"echo\"")).isEqualTo(2);
    await()
        .until(() -> metric(r.metricsText(), "chaos_proxy_connections_active{proxy=\"echo\"") == 0);
    assertThat(
            metric(metrics, "chaos_proxy_sent_bytes_total{direction=\"downstream\",proxy=\"echo\""))
        .isEqualTo(2);
  }
}
