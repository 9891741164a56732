package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kumaforge.backends.MockBackends;
import dev.kumaforge.backends.config.BackendsConfig;
import dev.kumaforge.common.tls.DevCertificates;
import dev.kumaforge.common.tls.DevCertificates.Issued;
import dev.kumaforge.common.tls.DevCertificates.LeafSpec;
import dev.kumaforge.common.tls.KeyType;
import dev.kumaforge.common.tls.SpiffeId;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateway -> mock provider over TLS and mTLS, on both upstream transports; every handshake failure
 * is a 502 tls_error.
 */
class UpstreamTlsIT {
  @TempDir static Path dir;

  @BeforeAll
  static void certificates() {
    Issued ca = DevCertificates.ca("forge CA", KeyType.EC_P256, Instant.now(), Duration.ofDays(1));
    Issued foreign =
        DevCertificates.ca("foreign CA", KeyType.EC_P256, Instant.now(), Duration.ofDays(1));
    DevCertificates.write(dir, "ca", ca);
    LeafSpec server =
        LeafSpec.server("mock", SpiffeId.parse("spiffe://forge.local/mock"), List.of("127.0.0.1"));
    DevCertificates.write(dir, "server", DevCertificates.leaf(ca, server));
    DevCertificates.write(dir, "foreign", DevCertificates.leaf(foreign, server));
    DevCertificates.write(
        dir,
        "client",
        DevCertificates.leaf(
            ca, LeafSpec.client("gateway", SpiffeId.parse("spiffe://forge.local/gateway"))));
  }

  private static MockBackends mock(String serverCert, boolean mutual) {
    return mock(serverCert, mutual, "0s");
  }

  private static MockBackends mock(String serverCert, boolean mutual, String notReadyFor) {
    return MockBackends.start(
        BackendsConfig.parse(
            """
            providers:
              - name: p
                listen: 127.0.0.1:0
                requireApiKey: false
                notReadyFor: %s
                tls: {certificate: %s, privateKey: %s%s}
                models: [{name: gpt-4o-mini}]
            """
                .formatted(
                    notReadyFor,
                    dir.resolve(serverCert + ".pem"),
                    dir.resolve(serverCert + "-key.pem"),
                    mutual ? ", clientCaBundle: " + dir.resolve("ca.pem") : ""),
            "mock.yaml"));
  }

  private static GatewayFixture gateway(
      String transport, MockBackends mock, boolean clientCert, String spiffeId) {
    return gateway(transport, mock, clientCert, spiffeId, "");
  }

  private static GatewayFixture gateway(
      String transport,
      MockBackends mock,
      boolean clientCert,
      String spiffeId,
      String backendExtra) {
    String address = mock.listeners().get("p").substring("https://".length());
    String tls = "caBundle: " + dir.resolve("ca.pem");
    if (clientCert) {
      tls +=
          ", certificate: "
              + dir.resolve("client.pem")
              + ", privateKey: "
              + dir.resolve("client-key.pem");
    }
    if (spiffeId != null) {
      tls += ", spiffeId: \"" + spiffeId + "\"";
    }
    return new GatewayFixture(
        transport,
        """
        backends:
          - name: p
            endpoints: [{address: "%s"}]
            tls: {%s}
        %s
        routes:
          - name: r
            backendRefs: [{name: p}]
        """
            .formatted(address, tls, backendExtra));
  }

  @BothTransports
  void mutualTlsWithTheRightSpiffeIdReachesTheBackend(String transport) {
    try (MockBackends mock = mock("server", true);
        GatewayFixture gw = gateway(transport, mock, true, "spiffe://forge.local/mock")) {
      HttpResponse<String> r = gw.get("/v1/models");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("gpt-4o-mini");
    }
  }

  @BothTransports
  void healthChecksSpeakMutualTls(String transport) {
    try (MockBackends mock = mock("server", true, "1s");
        GatewayFixture gw =
            gateway(
                transport,
                mock,
                true,
                null,
                "    healthCheck: {interval: 100ms, unhealthyThreshold: 1, http: {path:"
                    + " /health/ready}}")) {
      String gauge = "gateway_endpoint_healthy{backend=\"p\",endpoint=\"";
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> gw.adminGet("/metrics").body().contains(gauge));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  gw.adminGet("/metrics")
                      .body()
                      .matches("(?s).*" + Pattern.quote(gauge) + "[^}]*} 1(\\.0)?\n.*"));
    }
  }

  @BothTransports
  void aBackendCertificateFromAForeignCaIs502(String transport) {
    try (MockBackends mock = mock("foreign", false);
        GatewayFixture gw = gateway(transport, mock, false, null)) {
      assertTlsError(gw);
    }
  }

  @BothTransports
  void aBackendRequiringAClientCertificateRefusesAGatewayWithoutOne(String transport) {
    try (MockBackends mock = mock("server", true);
        GatewayFixture gw = gateway(transport, mock, false, null)) {
      HttpResponse<String> r = gw.get("/v1/models");
      assertThat(r.statusCode()).isEqualTo(502);
      assertThat(r.body()).contains("\"code\":\"tls_error\"");
    }
  }

  @BothTransports
  void aBackendWithAnotherSpiffeIdIs502(String transport) {
    try (MockBackends mock = mock("server", false);
        GatewayFixture gw = gateway(transport, mock, false, "spiffe://forge.local/other")) {
      assertTlsError(gw);
    }
  }

  private static void assertTlsError(GatewayFixture gw) {
    HttpResponse<String> r = gw.get("/v1/models");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("\"code\":\"tls_error\"");
    assertThat(gw.adminGet("/metrics").body())
        .contains("gateway_upstream_failures_total{backend=\"p\",kind=\"tls_error\"} 1");
  }
}
