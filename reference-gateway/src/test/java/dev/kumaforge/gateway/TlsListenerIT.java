package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.common.tls.DevCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RELIABILITY 18 and certificate rotation: a TLS listener accepts TLS 1.3 and TLS 1.2 with ECDHE
 * AEAD suites, refuses TLS 1.0/1.1 and CBC or static-RSA suites (raw ClientHello bytes, since the
 * JDK client will not offer them), and picks up a new server certificate without dropping an open
 * keep-alive connection.
 */
class TlsListenerIT {
  @TempDir Path dir;
  private TestUpstream upstream;
  private Gateway gateway;
  private TlsFixture certs;

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream("u");
    certs = new TlsFixture(dir);
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(
        config,
        """
        listeners:
          public:
            address: "127.0.0.1:0"
            tls: {certificate: server.pem, privateKey: server-key.pem, reloadInterval: 100ms}
          admin: {address: "127.0.0.1:0"}
        backends: [{name: b, endpoints: [{address: "%s"}]}]
        routes: [{name: r, backendRefs: [{name: b}]}]
        """
            .formatted(upstream.address()));
    gateway = Gateway.start(config);
  }

  @AfterEach
  void stop() {
    gateway.close();
    upstream.close();
  }

  private String url() {
    return gateway.listeners().get("public");
  }

  @Test
  void tls13AndTls12WithEcdheAeadWork() throws Exception {
    assertThat(url()).startsWith("https://");
    SSLContext ctx = TlsFixture.context(null, certs.ca);
    for (String[] p :
        new String[][] {
          {"TLSv1.3", "TLS_AES_128_GCM_SHA256"},
          {"TLSv1.3", "TLS_CHACHA20_POLY1305_SHA256"},
          {"TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
          {"TLSv1.2", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"}
        }) {
      SSLParameters params = new SSLParameters(new String[] {p[1]}, new String[] {p[0]});
      HttpResponse<String> r =
          java.net.http.HttpClient.newBuilder()
              .version(java.net.http.HttpClient.Version.HTTP_1_1)
              .sslContext(ctx)
              .sslParameters(params)
              .build()
              .send(
                  HttpRequest.newBuilder(URI.create(url() + "/x")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("%s %s", p[0], p[1]).isEqualTo(200);
      assertThat(r.sslSession().orElseThrow().getProtocol()).isEqualTo(p[0]);
    }
  }

  @Test
  void oldProtocolsCbcAndStaticRsaSuitesFailTheHandshake() throws Exception {
    int ecdheEcdsaAes128Gcm = 0xC02B;
    int ecdheEcdsaAes128Cbc = 0xC009;
    int ecdheEcdsaAes128CbcSha256 = 0xC023;
    int rsaAes128Cbc = 0x002F;
    int rsaAes128Gcm = 0x009C;
    // control: the raw hello is a valid one, answered with a ServerHello
    assertThat(serverAnswer(0x0303, ecdheEcdsaAes128Gcm)).isEqualTo("ServerHello");
    assertThat(serverAnswer(0x0301, ecdheEcdsaAes128Cbc, rsaAes128Cbc)).isEqualTo("alert");
    assertThat(serverAnswer(0x0302, ecdheEcdsaAes128Cbc, rsaAes128Cbc)).isEqualTo("alert");
    assertThat(serverAnswer(0x0303, ecdheEcdsaAes128Cbc, ecdheEcdsaAes128CbcSha256))
        .isEqualTo("alert");
    assertThat(serverAnswer(0x0303, rsaAes128Gcm, rsaAes128Cbc)).isEqualTo("alert");
    assertThat(upstream.count.get()).isZero();
  }

  @Test
  void aNewServerCertificateIsUsedWithoutDroppingAnOpenConnection() throws Exception {
    SSLContext ctx = TlsFixture.context(null, certs.ca);
    try (SSLSocket open = TlsFixture.connect(ctx, url())) {
      X509Certificate first = (X509Certificate) open.getSession().getPeerCertificates()[0];
      assertThat(TlsFixture.get(open, "/one").status()).isEqualTo(200);
      DevCertificates.Issued next = TlsFixture.server(certs.ca);
      // key first, then certificate: a check in between sees a mismatch and keeps the old pair
      AtomicFiles.writeString(dir.resolve("server-key.pem"), next.keyPem());
      AtomicFiles.writeString(dir.resolve("server.pem"), next.certificatePem());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> servedCertificate(ctx).equals(next.certificate()));
      assertThat(TlsFixture.get(open, "/two").status()).isEqualTo(200);
      assertThat(open.getSession().getPeerCertificates()[0]).isEqualTo(first);
    }
    assertThat(upstream.count.get()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void certificateReloadsAreCountedByListenerAndResult() throws Exception {
    AtomicFiles.writeString(dir.resolve("server.pem"), "not a certificate\n");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> gateway.listener("public").tlsReloadFailures() >= 1);
    DevCertificates.Issued next = TlsFixture.server(certs.ca);
    AtomicFiles.writeString(dir.resolve("server-key.pem"), next.keyPem());
    AtomicFiles.writeString(dir.resolve("server.pem"), next.certificatePem());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> gateway.listener("public").tlsReloads() == 1);
    String metrics = gateway.metrics().scrape();
    assertThat(
            ByteChecksIT.value(
                metrics, "gateway_tls_reloads_total", "listener=\"public\",result=\"success\""))
        .isEqualTo(1.0);
    assertThat(
            ByteChecksIT.value(
                metrics, "gateway_tls_reloads_total", "listener=\"public\",result=\"failure\""))
        .isGreaterThanOrEqualTo(1.0);
    assertThat(metrics).doesNotContain("gateway_tls_reloads_total{listener=\"admin\"");
  }

  private X509Certificate servedCertificate(SSLContext ctx) throws IOException {
    try (SSLSocket s = TlsFixture.connect(ctx, url())) {
      X509Certificate c = (X509Certificate) s.getSession().getPeerCertificates()[0];
      TlsFixture.get(s, "/probe");
      return c;
    }
  }

  private String serverAnswer(int version, int... suites) throws IOException {
    return TlsFixture.serverAnswer(url(), version, suites);
  }
}
