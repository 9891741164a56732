package dev.kumaforge.backends;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.backends.config.BackendsConfig;
import dev.kumaforge.common.config.ConfigException;
import dev.kumaforge.common.tls.DevCertificates;
import dev.kumaforge.common.tls.DevCertificates.Issued;
import dev.kumaforge.common.tls.DevCertificates.LeafSpec;
import dev.kumaforge.common.tls.KeyType;
import dev.kumaforge.common.tls.Pem;
import dev.kumaforge.common.tls.SpiffeId;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS and mutual-TLS provider listeners, spoken to by the JDK HTTP client. */
class TlsIT {
  @TempDir static Path dir;

  @BeforeAll
  static void certificates() {
    Issued ca = DevCertificates.ca("test CA", KeyType.EC_P256, Instant.now(), Duration.ofDays(1));
    DevCertificates.write(dir, "ca", ca);
    DevCertificates.write(
        dir,
        "server",
        DevCertificates.leaf(
            ca,
            LeafSpec.server(
                "mock", SpiffeId.parse("spiffe://forge.local/mock"), List.of("127.0.0.1"))));
    DevCertificates.write(
        dir,
        "client",
        DevCertificates.leaf(
            ca, LeafSpec.client("gateway", SpiffeId.parse("spiffe://forge.local/gateway"))));
  }

  private static BackendsConfig config(boolean mutual) {
    return BackendsConfig.parse(
        """
        providers:
          - name: secure
            listen: 127.0.0.1:0
            requireApiKey: false
            tls:
              certificate: %s
              privateKey: %s
        %s
            models: [{name: gpt-4o-mini}]
        """
            .formatted(
                dir.resolve("server.pem"),
                dir.resolve("server-key.pem"),
                mutual ? "      clientCaBundle: " + dir.resolve("ca.pem") : ""),
        "tls.yaml");
  }

  private static HttpResponse<String> get(String url, boolean withCertificate) throws Exception {
    SSLContext ssl = SSLContext.getInstance("TLS");
    KeyManager[] keys =
        withCertificate
            ? Pem.keyManagers(dir.resolve("client.pem"), dir.resolve("client-key.pem"))
                .getKeyManagers()
            : null;
    ssl.init(keys, Pem.trustManagers(dir.resolve("ca.pem")).getTrustManagers(), null);
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(ssl)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void httpsProviderAnswersAndAnnouncesAnHttpsUrl() throws Exception {
    try (MockBackends b = MockBackends.start(config(false))) {
      String url = b.listeners().get("secure");
      assertThat(url).startsWith("https://127.0.0.1:");
      assertThat(get(url + "/v1/models", false).body()).contains("gpt-4o-mini");
    }
  }

  @Test
  void mutualTlsServesAClientCertificateAndRefusesNone() throws Exception {
    try (MockBackends b = MockBackends.start(config(true))) {
      String url = b.listeners().get("secure") + "/v1/models";
      assertThat(get(url, true).statusCode()).isEqualTo(200);
      assertThatThrownBy(() -> get(url, false)).isInstanceOf(IOException.class);
    }
  }

  @Test
  void unreadableFilesAndBadProtocolsAreConfigErrors() {
    assertThatThrownBy(
            () ->
                BackendsConfig.parse(
                    """
                    providers:
                      - name: secure
                        listen: 127.0.0.1:0
                        tls: {certificate: /nonexistent.pem, protocols: [TLSv1.1]}
                        models: [{name: gpt-4o-mini}]
                    """,
                    "bad.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("providers[0].tls.certificate: /nonexistent.pem: cannot read")
        .hasMessageContaining("providers[0].tls.privateKey: missing required key")
        .hasMessageContaining("providers[0].tls.protocols[0]: TLSv1.1 (expected: TLSv1.2 or");
  }
}
