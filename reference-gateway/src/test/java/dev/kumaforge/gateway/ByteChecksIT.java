package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kumaforge.gateway.config.GatewayConfig;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The byte-level checks below Pekko's parser (RELIABILITY 3, 4 and 21) on raw sockets: bare-LF line
 * endings and Transfer-Encoding on HTTP/1.0 get 400 and close, an oversized credential header 401
 * (other oversized headers 431), earlier requests on the connection are answered first, bodies are
 * never scanned, the backend sees none of the refused requests, and the listener metrics count
 * refusals, refused connections and header deadlines.
 */
class ByteChecksIT {
  private TestUpstream upstream;
  private Gateway gateway;

  @BeforeEach
  void start() throws IOException {
    upstream = new TestUpstream("u");
    gateway =
        Gateway.start(
            GatewayConfig.parse(
                """
                listeners:
                  public: {address: "127.0.0.1:0", maxConnections: 2, headerTimeout: 1s}
                  admin: {address: "127.0.0.1:0"}
                backends: [{name: b, endpoints: [{address: "%s"}]}]
                routes: [{name: r, backendRefs: [{name: b}]}]
                """
                    .formatted(upstream.address()),
                "byte-checks"));
  }

  @AfterEach
  void stop() {
    gateway.close();
    upstream.close();
  }

  /**
   * The value of {@code name{labels}} in a Prometheus text exposition (labels in any order, as
   * {@code a="x",b="y"}), or -1 when absent.
   */
  static double value(String metrics, String name, String labels) {
    Set<String> wanted = Set.of(labels.split(","));
    Matcher m =
        Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE)
            .matcher(metrics);
    while (m.find()) {
      if (Set.of(m.group(1).split(",")).equals(wanted)) {
        return Double.parseDouble(m.group(2));
      }
    }
    return -1;
  }

  private Socket connect() throws IOException {
    URI u = URI.create(gateway.listeners().get("public"));
    Socket s = new Socket(u.getHost(), u.getPort());
    s.setSoTimeout(10_000);
    return s;
  }

  private static void write(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
  }

  private double refused(String check) {
    return value(
        gateway.metrics().scrape(),
        "gateway_requests_refused_by_scan_total",
        "listener=\"public\",check=\"" + check + "\"");
  }

  @Test
  void aPipelinedRequestIsAnsweredBeforeTheBareLfOneIsRefused() throws IOException {
    try (Socket s = connect()) {
      write(s, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\nHost: x\n\n");
      // both answers, then the end of the stream (the connection is closed)
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(all).startsWith("HTTP/1.1 200 ");
      String second = all.substring(all.indexOf("HTTP/1.1 ", 1));
      assertThat(second)
          .startsWith("HTTP/1.1 400 ")
          .contains("\"code\":\"bad_request\"")
          .contains("bare LF");
    }
    assertThat(upstream.count.get()).isEqualTo(1);
    assertThat(upstream.seen.poll().path()).isEqualTo("/a");
    assertThat(refused("bare_lf")).isEqualTo(1.0);
  }

  @Test
  void bodiesAreSkippedByTheirFramingNotScanned() throws IOException {
    String json = "{\n  \"a\": 1\n}";
    try (Socket s = connect()) {
      write(
          s,
          "POST /cl HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
              + json.length()
              + "\r\n\r\n"
              + json);
      assertThat(RawHttp.read(s, false).status()).isEqualTo(200);
      write(
          s,
          "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "3\r\nx\ny\r\n4\r\n\n\n\n\n\r\n0\r\n\r\n");
      assertThat(RawHttp.read(s, false).status()).isEqualTo(200);
      write(s, "GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(RawHttp.read(s, false).status()).isEqualTo(200);
      write(s, "GET /bad HTTP/1.1\r\nHost: x\n\r\n");
      RawHttp.Answer bad = RawHttp.read(s, true);
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.closed()).isTrue();
    }
    List<String> paths = new ArrayList<>();
    List<String> bodies = new ArrayList<>();
    upstream.seen.forEach(
        seen -> {
          paths.add(seen.path());
          bodies.add(seen.body());
        });
    assertThat(paths).containsExactly("/cl", "/chunked", "/after");
    assertThat(bodies.get(0)).isEqualTo(json);
    assertThat(bodies.get(1)).isEqualTo("x\ny\n\n\n\n");
  }

  @Test
  void transferEncodingOnHttp10IsRefusedWith400() throws IOException {
    try (Socket s = connect()) {
      write(
          s,
          "POST /x HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
      RawHttp.Answer a = RawHttp.read(s, true);
      assertThat(a.status()).as(a.text()).isEqualTo(400);
      assertThat(a.text()).contains("Transfer-Encoding is not allowed on an HTTP/1.0 request");
      assertThat(a.closed()).isTrue();
    }
    assertThat(upstream.count.get()).isZero();
    assertThat(refused("te_http10")).isEqualTo(1.0);
  }

  @Test
  void anOversizedCredentialGets401AndOtherOversizedHeaders431() throws IOException {
    String jwt = "eyJhbGciOiJSUzI1NiJ9." + "a".repeat(64 * 1024) + ".sig";
    for (String header : new String[] {"Authorization: Bearer " + jwt, "x-api-key: " + jwt}) {
      try (Socket s = connect()) {
        write(s, "GET /x HTTP/1.1\r\nHost: x\r\n" + header + "\r\n\r\n");
        RawHttp.Answer a = RawHttp.read(s, true);
        assertThat(a.status()).as(a.text()).isEqualTo(401);
        assertThat(a.text())
            .contains("WWW-Authenticate: Bearer realm=\"forge\", error=\"invalid_token\"")
            .contains("\"message\":\"the credentials are not valid\"")
            .doesNotContainIgnoringCase("limit")
            .doesNotContainIgnoringCase("large")
            .doesNotContain("aaaa");
        assertThat(a.closed()).isTrue();
      }
    }
    try (Socket s = connect()) {
      write(s, "GET /x HTTP/1.1\r\nHost: x\r\nX-Other: " + jwt + "\r\n\r\n");
      RawHttp.Answer a = RawHttp.read(s, true);
      assertThat(a.status()).as(a.text()).isEqualTo(431);
    }
    assertThat(upstream.count.get()).isZero();
    assertThat(refused("credential_too_large")).isEqualTo(2.0);
  }

  @Test
  void refusedConnectionsAndHeaderDeadlinesAreCounted() throws Exception {
    List<Socket> idle = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        idle.add(connect());
      }
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> gateway.listener("public").openConnections() == 2);
      try (Socket extra = connect()) {
        assertThat(extra.getInputStream().read()).isEqualTo(-1);
      }
      // the two idle connections miss the 1 s header deadline
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  value(
                          gateway.metrics().scrape(),
                          "gateway_header_timeouts_total",
                          "listener=\"public\"")
                      >= 2.0);
      String metrics = gateway.metrics().scrape();
      assertThat(value(metrics, "gateway_connections_refused_total", "listener=\"public\""))
          .isEqualTo(1.0);
      assertThat(value(metrics, "gateway_connections_refused_total", "listener=\"admin\""))
          .isEqualTo(0.0);
      assertThat(value(metrics, "gateway_header_timeouts_total", "listener=\"admin\""))
          .isEqualTo(0.0);
      assertThat(refused("bare_lf")).isEqualTo(0.0);
    } finally {
      for (Socket s : idle) {
        s.close();
      }
    }
  }
}
