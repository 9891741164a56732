package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kumaforge.common.tls.DevCertificates;
import dev.kumaforge.common.tls.DevCertificates.Issued;
import dev.kumaforge.gateway.H2cTestServer.Seen;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code protocol: h2}: HTTP/2 over TLS negotiated by ALPN on the Netty transport, against {@link
 * H2cTestServer} behind Netty's TLS: requests and health checks over h2, an untrusted certificate
 * is tls_error, a TLS server that does not select h2 in ALPN is connect_error.
 */
class H2TlsUpstreamIT {
  @TempDir static Path dir;

  @BeforeAll
  static void certificates() {
    Issued ca = TlsFixture.ca("forge CA");
    DevCertificates.write(dir, "ca", ca);
    DevCertificates.write(dir, "server", TlsFixture.server(ca));
    DevCertificates.write(dir, "foreign", TlsFixture.server(TlsFixture.ca("foreign CA")));
  }

  /** A server context with {@code cert}, selecting {@code alpn} (none: no ALPN at all). */
  static SslContext serverTls(String cert, String... alpn) throws Exception {
    SslContextBuilder b =
        SslContextBuilder.forServer(
                dir.resolve(cert + ".pem").toFile(), dir.resolve(cert + "-key.pem").toFile())
            .sslProvider(SslProvider.JDK);
    if (alpn.length > 0) {
      b.applicationProtocolConfig(
          new ApplicationProtocolConfig(
              ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
              alpn));
    }
    return b.build();
  }

  static String yaml(String address, String extra) {
    return """
        backends:
          - name: h2
            protocol: h2
            endpoints: [{address: "%s"}]
            tls: {caBundle: "%s"}
        %s
        routes:
          - name: r
            backendRefs: [{name: h2}]
        """
        .formatted(address, dir.resolve("ca.pem"), extra);
  }

  @Test
  void requestsAndHealthChecksGoOverHttp2WithTls() throws Exception {
    try (H2cTestServer up = new H2cTestServer(serverTls("server", "h2"));
        GatewayFixture gw =
            new GatewayFixture(
                yaml(
                    up.address(),
                    "    healthCheck: {interval: 100ms, timeout: 1s, http: {path: /healthz}}\n"))) {
      HttpResponse<String> r = gw.post("/orders", "{\"order\":1}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("{\"upstream\":\"h2c\"}");
      assertThat(up.seen).contains(new Seen("POST", "/orders", "{\"order\":1}"));
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> up.seen.stream().filter(s -> s.path().equals("/healthz")).count() >= 2);
      assertThat(gw.get("/x").statusCode()).isEqualTo(200);
      // one connection for the traffic, one for the checks: both h2 (the server speaks nothing
      // else)
      assertThat(up.connections.get()).isEqualTo(2);
      assertThat(gw.adminGet("/metrics").body())
          .contains("gateway_upstream_connections{backend=\"h2\",protocol=\"h2\"}");
    }
  }

  @Test
  void anUntrustedCertificateIsATlsError() throws Exception {
    try (H2cTestServer up = new H2cTestServer(serverTls("foreign", "h2"));
        GatewayFixture gw = new GatewayFixture(yaml(up.address(), ""))) {
      HttpResponse<String> r = gw.get("/x");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
      assertThat(r.body()).contains("\"code\":\"tls_error\"");
      assertThat(up.seen).isEmpty();
    }
  }

  @Test
  void aTlsServerThatDoesNotSelectH2IsAConnectError() throws Exception {
    try (H2cTestServer up = new H2cTestServer(serverTls("server"));
        GatewayFixture gw = new GatewayFixture(yaml(up.address(), ""))) {
      HttpResponse<String> r = gw.get("/x");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
      assertThat(r.body()).contains("\"code\":\"connect_error\"").contains("ALPN");
      assertThat(up.seen).isEmpty();
    }
  }
}
