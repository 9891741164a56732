package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kumaforge.gateway.config.GatewayConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Raw-socket tests of request hardening: path normalisation before routing (item 8), header hygiene
 * (12), body limits while streaming (9), slow clients and slow readers (14).
 */
class HardeningIT {
  private static final String LIMITS = "{maxBodySize: 256KiB, bodyTimeout: 1s}";

  private static Gateway start(TestUpstream u, String backendExtras) {
    return Gateway.start(
        GatewayConfig.parse(
            """
            listeners:
              public: {address: "127.0.0.1:0", limits: %s}
              admin: {address: "127.0.0.1:0"}
            backends:
              - name: b
                endpoints: [{address: "%s"}]
            %s
            routes:
              - name: pub
                matches: [{path: {type: PathPrefix, value: /pub}}]
                backendRefs: [{name: b}]
            """
                .formatted(LIMITS, u.address(), backendExtras),
            "test"));
  }

  private static RawHttp.Answer get(Gateway gw, String target, String extraHeaders)
      throws IOException {
    return RawHttp.send(
        gw.listeners().get("public"),
        RawHttp.crlf("GET " + target + " HTTP/1.1\nHost: a\n" + extraHeaders + "\n"),
        10_000,
        false);
  }

  @Test
  void pathIsNormalisedBeforeRoutingAndForwardedAsChecked() throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(u, "")) {
      assertThat(get(gw, "/pub/../admin", "").status()).isEqualTo(404);
      assertThat(get(gw, "/pub/%2e%2e/admin", "").status()).isEqualTo(404);
      assertThat(get(gw, "/pub/.%2E/admin", "").status()).isEqualTo(404);
      assertThat(get(gw, "/pub%2F..%2Fadmin", "").status()).isEqualTo(400);
      assertThat(get(gw, "/pub/x%5c..%5cadmin", "").status()).isEqualTo(400);
      assertThat(u.count.get()).isZero();

      assertThat(get(gw, "//pub//a/./b/../c?q=1", "").status()).isEqualTo(200);
      assertThat(get(gw, "/admin/../pub/%2e/d/", "").status()).isEqualTo(200);
      assertThat(u.seen)
          .extracting(TestUpstream.Seen::path)
          .containsExactly("/pub/a/c?q=1", "/pub/d/");
    }
  }

  @Test
  void forwardingAndGatewayOwnedHeadersAreOverwrittenOrDropped() throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(u, "")) {
      RawHttp.Answer a =
          get(
              gw,
              "/pub/h",
              """
              X-Forwarded-For: 6.6.6.6
              X-Real-IP: 6.6.6.6
              X-Forwarded-Proto: https
              X-Forwarded-Host: evil.example
              Forwarded: for=6.6.6.6
              X-Forge-Consumer: admin
              x-forge-client-identity: spiffe://evil/admin
              Connection: x-request-id, authorization, traceparent, x-drop-me
              Authorization: Bearer k
              x-request-id: abc
              x-drop-me: 1
              """);
      assertThat(a.status()).isEqualTo(200);
      TestUpstream.Seen seen = u.seen.peek();
      assertThat(seen.header("x-forwarded-for")).isEqualTo("127.0.0.1");
      assertThat(seen.header("x-real-ip")).isEqualTo("127.0.0.1");
      assertThat(seen.header("x-forwarded-proto")).isEqualTo("http");
      assertThat(seen.header("x-forwarded-host")).isNull();
      assertThat(seen.header("forwarded")).isNull();
      assertThat(seen.header("x-forge-consumer")).isNull();
      assertThat(seen.header("x-forge-client-identity")).isNull();
      assertThat(seen.header("x-drop-me")).isNull();
      assertThat(seen.header("authorization")).isEqualTo("Bearer k");
      assertThat(seen.header("x-request-id")).isEqualTo("abc");
      assertThat(seen.header("traceparent")).isNotNull();
    }
  }

  @Test
  void chunkedBodyOverTheLimitIsAbortedMidStream() throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(u, "")) {
      URI url = URI.create(gw.listeners().get("public"));
      try (Socket s = new Socket(url.getHost(), url.getPort())) {
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write(RawHttp.crlf("POST /pub/up HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n"));
        byte[] chunk = new byte[16 * 1024];
        byte[] size = RawHttp.crlf(Integer.toHexString(chunk.length) + "\n");
        try {
          // 64 MiB offered; the gateway stops reading after 256 KiB
          for (int i = 0; i < 4096; i++) {
            out.write(size);
            out.write(chunk);
            out.write(RawHttp.crlf("\n"));
          }
        } catch (IOException e) {
          // the gateway closed the connection after its 413
        }
        RawHttp.Answer a = RawHttp.read(s, true);
        assertThat(a.status()).as(a.text()).isEqualTo(413);
        assertThat(a.text()).contains("body_too_large");
        assertThat(a.closed()).isTrue();
      }
      // the upstream request was cut: the backend never received a whole body
      assertThat(u.seen).isEmpty();
    }
  }

  @Test
  void chunkedBodyLongerThanTheReadAheadIsForwardedWhole() throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(u, "")) {
      StringBuilder req =
          new StringBuilder("POST /pub/up HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n");
      String chunk = "x".repeat(10_000);
      for (int i = 0; i < 20; i++) {
        req.append(Integer.toHexString(chunk.length())).append('\n').append(chunk).append('\n');
      }
      req.append("0\n\n");
      RawHttp.Answer a =
          RawHttp.send(gw.listeners().get("public"), RawHttp.crlf(req.toString()), 10_000, false);
      assertThat(a.status()).as(a.text()).isEqualTo(200);
      assertThat(u.seen.peek().body()).hasSize(200_000).isEqualTo(chunk.repeat(20));
    }
  }

  @Test
  void slowPostBodyIsCutByTheBodyTimeout() throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(u, "")) {
      URI url = URI.create(gw.listeners().get("public"));
      try (Socket s = new Socket(url.getHost(), url.getPort())) {
        s.setSoTimeout(10_000);
        s.getOutputStream()
            .write(RawHttp.crlf("POST /pub/slow HTTP/1.1\nHost: a\nContent-Length: 100\n\nab"));
        RawHttp.Answer a = RawHttp.read(s, true);
        assertThat(a.status()).as(a.text()).isEqualTo(408);
        assertThat(a.text()).contains("body_timeout");
        assertThat(a.closed()).isTrue();
      }
      assertThat(u.seen).isEmpty();
    }
  }

  @Test
  void slowReaderIsCutWithBackPressureNotBuffering() throws Exception {
    long total = 256L << 20;
    AtomicLong written = new AtomicLong();
    AtomicBoolean cut = new AtomicBoolean();
    try (TestUpstream u = new TestUpstream("u");
        Gateway gw = start(u, "    timeouts: {http: {streamIdleTimeout: 1s}}")) {
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
      URI url = URI.create(gw.listeners().get("public"));
      try (Socket s = new Socket()) {
        s.setReceiveBufferSize(16 * 1024);
        s.connect(new java.net.InetSocketAddress(url.getHost(), url.getPort()));
        s.getOutputStream().write(RawHttp.crlf("GET /pub/big HTTP/1.1\nHost: a\n\n"));
        // the client reads nothing: back-pressure stalls the upstream, whose idle timeout cuts it
        await().atMost(Duration.ofSeconds(20)).untilTrue(cut);
        assertThat(written.get()).isLessThan(total / 4);
        s.setSoTimeout(10_000);
        long read = 0;
        byte[] buf = new byte[64 * 1024];
        try {
          for (int n; (n = s.getInputStream().read(buf)) >= 0; ) {
            read += n;
          }
        } catch (IOException e) {
          // reset: also a cut
        }
        assertThat(read).isLessThan(total);
      }
    }
  }
}
