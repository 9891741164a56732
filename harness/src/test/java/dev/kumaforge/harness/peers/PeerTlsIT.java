package dev.kumaforge.harness.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kumaforge.backends.MockBackends;
import dev.kumaforge.backends.config.BackendsConfig;
import dev.kumaforge.common.tls.DevCertificates;
import dev.kumaforge.common.tls.DevCertificates.Issued;
import dev.kumaforge.common.tls.DevCertificates.LeafSpec;
import dev.kumaforge.common.tls.KeyType;
import dev.kumaforge.common.tls.Pem;
import dev.kumaforge.common.tls.SpiffeId;
import dev.kumaforge.gateway.config.GatewayConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * nginx and HAProxy TLS and mTLS listeners from the generated configs, with the development
 * certificates: a client with the CA (and for mTLS its certificate) is served; mTLS refuses a
 * client without one (HAProxy in the handshake, nginx with its 400).
 */
class PeerTlsIT {
  @TempDir static Path dir;
  static MockBackends backends;
  static GatewayConfig config;

  @BeforeAll
  static void start() {
    Issued ca = DevCertificates.ca("peer CA", KeyType.EC_P256, Instant.now(), Duration.ofDays(1));
    DevCertificates.write(dir, "ca", ca);
    DevCertificates.write(
        dir,
        "server",
        DevCertificates.leaf(
            ca,
            LeafSpec.server(
                "peer", SpiffeId.parse("spiffe://forge.local/peer"), List.of("127.0.0.1"))));
    DevCertificates.write(
        dir,
        "client",
        DevCertificates.leaf(
            ca, LeafSpec.client("load", SpiffeId.parse("spiffe://forge.local/load"))));
    backends =
        MockBackends.start(
            BackendsConfig.parse(
                """
                providers:
                  - {name: p, listen: "127.0.0.1:0", requireApiKey: false,
                     models: [{name: gpt-4o-mini}]}
                """,
                "mock.yaml"));
    config =
        GatewayConfig.parse(
            """
            listeners: {public: {address: "127.0.0.1:0"}, admin: {address: "127.0.0.1:0"}}
            backends: [{name: p, endpoints: [{address: "%s"}]}]
            routes: [{name: all, backendRefs: [{name: p}]}]
            """
                .formatted(backends.listeners().get("p").replace("http://", "")),
            "peer-tls.yaml");
  }

  @AfterAll
  static void stop() {
    if (backends != null) {
      backends.close();
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"NGINX", "HAPROXY"})
  void tlsAndMutualTlsListeners(PeerKind kind) throws Exception {
    PeerBinaries.Lookup lookup = PeerBinaries.locate(kind);
    assumeTrue(lookup.available() || lookup.required(), lookup.note());
    Path work = dir.resolve(kind.binary());
    PeerTls tls = new PeerTls(dir.resolve("server.pem"), dir.resolve("server-key.pem"), null);
    try (PeerTarget peer =
        PeerTarget.start(
            kind,
            config,
            PeerOptions.workers(1).withTls(tls),
            work.resolve("tls"),
            work.resolve("tls.log"))) {
      assertThat(peer.baseUrl()).startsWith("https://127.0.0.1:");
      assertThat(get(peer.baseUrl(), false)).isEqualTo(200);
    }
    PeerTls mutual =
        new PeerTls(
            dir.resolve("server.pem"), dir.resolve("server-key.pem"), dir.resolve("ca.pem"));
    try (PeerTarget peer =
        PeerTarget.start(
            kind,
            config,
            PeerOptions.workers(1).withTls(mutual),
            work.resolve("mtls"),
            work.resolve("mtls.log"))) {
      assertThat(get(peer.baseUrl(), true)).isEqualTo(200);
      assertThat(get(peer.baseUrl(), false)).isIn(-1, 400);
    }
  }

  /** The status of GET /v1/models, or -1 when the TLS connection was refused. */
  private static int get(String base, boolean clientCertificate) throws Exception {
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(
        clientCertificate
            ? Pem.keyManagers(dir.resolve("client.pem"), dir.resolve("client-key.pem"))
                .getKeyManagers()
            : null,
        Pem.trustManagers(dir.resolve("ca.pem")).getTrustManagers(),
        null);
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(ssl)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    try {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/v1/models"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode();
    } catch (IOException e) {
      return -1;
    }
  }
}
