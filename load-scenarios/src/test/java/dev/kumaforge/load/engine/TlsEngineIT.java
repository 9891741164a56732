package dev.kumaforge.load.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.backends.MockBackends;
import dev.kumaforge.backends.config.BackendsConfig;
import dev.kumaforge.common.tls.DevCertificates;
import dev.kumaforge.common.tls.DevCertificates.Issued;
import dev.kumaforge.common.tls.DevCertificates.LeafSpec;
import dev.kumaforge.common.tls.KeyType;
import dev.kumaforge.common.tls.SpiffeId;
import dev.kumaforge.common.units.Rate;
import dev.kumaforge.load.scenario.Arrivals;
import dev.kumaforge.load.scenario.Phase;
import dev.kumaforge.load.scenario.RequestSpec;
import dev.kumaforge.load.scenario.TargetTls;
import dev.kumaforge.load.scenario.Workload;
import dev.kumaforge.load.testing.FixedLatencyServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine over TLS and mTLS to a mock provider, and with a new connection per request. */
class TlsEngineIT {
  @TempDir static Path certs;
  @TempDir Path dir;

  @BeforeAll
  static void certificates() {
    Issued ca = DevCertificates.ca("test CA", KeyType.EC_P256, Instant.now(), Duration.ofDays(1));
    DevCertificates.write(certs, "ca", ca);
    DevCertificates.write(
        certs,
        "server",
        DevCertificates.leaf(
            ca,
            LeafSpec.server(
                "mock", SpiffeId.parse("spiffe://forge.local/mock"), List.of("127.0.0.1"))));
    DevCertificates.write(
        certs,
        "client",
        DevCertificates.leaf(
            ca, LeafSpec.client("load", SpiffeId.parse("spiffe://forge.local/load"))));
  }

  private static Workload twentyRequests() {
    return Workload.openLoop(
        Duration.ZERO,
        Arrivals.CONSTANT,
        Duration.ofSeconds(5),
        16,
        Duration.ofMillis(200),
        List.of(Phase.constant("s", Rate.perSecond(20), Duration.ofSeconds(1))),
        RequestSpec.of("GET", "/v1/models", Map.of(), null));
  }

  private MockBackends mutualTlsMock() {
    return MockBackends.start(
        BackendsConfig.parse(
            """
            providers:
              - name: p
                listen: 127.0.0.1:0
                requireApiKey: false
                tls: {certificate: %s, privateKey: %s, clientCaBundle: %s}
                models: [{name: gpt-4o-mini}]
            """
                .formatted(
                    certs.resolve("server.pem"),
                    certs.resolve("server-key.pem"),
                    certs.resolve("ca.pem")),
            "mock.yaml"));
  }

  private LoadResult run(URI url, ClientOptions client) {
    return new OpenLoopEngine()
        .run(twentyRequests(), 1, url, client, dir, "t", 1, ProgressListener.NONE);
  }

  @Test
  void mutualTlsWithAClientCertificateAnswersEveryRequest() {
    try (MockBackends mock = mutualTlsMock()) {
      URI url = URI.create(mock.listeners().get("p"));
      TargetTls tls =
          new TargetTls(
              certs.resolve("ca.pem").toString(),
              certs.resolve("client.pem").toString(),
              certs.resolve("client-key.pem").toString());
      LoadResult keepAlive = run(url, new ClientOptions(tls, false));
      assertThat(keepAlive.ok()).isEqualTo(20);
      LoadResult perRequest = run(url, new ClientOptions(tls, true));
      assertThat(perRequest.ok()).isEqualTo(20);
    }
  }

  /**
   * In TLS 1.3 the server checks the client certificate after the client's side of the handshake
   * ended, so the refusal arrives as an alert (tls) or, when the server's close overtakes it, as a
   * reset.
   */
  @Test
  void withoutAClientCertificateEveryRequestFails() {
    try (MockBackends mock = mutualTlsMock()) {
      TargetTls caOnly = new TargetTls(certs.resolve("ca.pem").toString(), null, null);
      LoadResult r = run(URI.create(mock.listeners().get("p")), new ClientOptions(caOnly, false));
      assertThat(r.ok()).isZero();
      assertThat(r.errors()).isEqualTo(20);
      assertThat(r.errorsByKind().keySet()).isSubsetOf("tls", "reset");
    }
  }

  @Test
  void connectionPerRequestOpensOneConnectionPerRequest() throws Exception {
    try (FixedLatencyServer server = FixedLatencyServer.start(Duration.ofMillis(1))) {
      LoadResult r = run(server.uri(), new ClientOptions(null, true));
      assertThat(r.ok()).isEqualTo(20);
      assertThat(server.accepted()).isEqualTo(20);
    }
  }
}
