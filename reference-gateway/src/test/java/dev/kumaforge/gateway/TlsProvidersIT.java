package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.common.tls.DevCertificates.Issued;
import dev.kumaforge.gateway.tls.TlsConfig.Provider;
import io.netty.handler.ssl.OpenSsl;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The security behaviour of an mTLS listener is the same with {@code provider: openssl} (BoringSSL)
 * and {@code provider: jdk}: TLS 1.0/1.1, CBC and static-RSA suites refused, clients without one
 * usable SPIFFE certificate refused at the handshake, the verified identity sent upstream and
 * checked by trafficPermission, a client CA added or removed and a server certificate replaced on
 * file change.
 */
class TlsProvidersIT {
  @TempDir Path dir;
  private TestUpstream upstream;
  private Gateway gateway;
  private TlsFixture certs;

  private void start(Provider provider) throws Exception {
    upstream = new TestUpstream("u");
    certs = new TlsFixture(dir);
    AtomicFiles.writeString(dir.resolve("clients.pem"), certs.ca.certificatePem());
    Files.writeString(
        dir.resolve("gateway.yaml"),
        """
        listeners:
          public:
            address: "127.0.0.1:0"
            tls:
              certificate: server.pem
              privateKey: server-key.pem
              clientValidation: require
              clientCaBundles: [clients.pem]
              reloadInterval: 100ms
              provider: %s
          admin: {address: "127.0.0.1:0"}
        backends: [{name: b, endpoints: [{address: "%s"}]}]
        routes:
          - name: team-a
            matches: [{path: {type: PathPrefix, value: /team-a}}]
            backendRefs: [{name: b}]
            trafficPermission:
              default: Deny
              rules: [{spiffeId: "spiffe://forge.local/ns/team-a/*", action: Allow}]
          - name: open
            backendRefs: [{name: b}]
        """
            .formatted(provider, upstream.address()));
    gateway = Gateway.start(dir.resolve("gateway.yaml"));
    assertThat(gateway.listener("public").tls().provider()).isEqualTo(provider);
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private String url() {
    return gateway.listeners().get("public");
  }

  private HttpResponse<String> get(Issued client, String path, String... protocolAndSuite)
      throws Exception {
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(TlsFixture.context(client, certs.ca))
            .connectTimeout(Duration.ofSeconds(5));
    if (protocolAndSuite.length == 2) {
      b.sslParameters(
          new SSLParameters(
              new String[] {protocolAndSuite[1]}, new String[] {protocolAndSuite[0]}));
    }
    return b.build()
        .send(
            HttpRequest.newBuilder(URI.create(url() + path))
                .header("x-forge-client-identity", "spiffe://forge.local/admin")
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void openSslIsAvailableHere() {
    // the tests below would only compare the JDK with itself under auto on a machine without it
    assertThat(OpenSsl.isAvailable()).as("%s", OpenSsl.unavailabilityCause()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(names = {"openssl", "jdk"})
  void oldProtocolsCbcAndStaticRsaSuitesAreRefused(Provider provider) throws Exception {
    start(provider);
    int ecdheEcdsaAes128Gcm = 0xC02B;
    int ecdheEcdsaAes128Cbc = 0xC009;
    int ecdheEcdsaAes128CbcSha256 = 0xC023;
    int rsaAes128Cbc = 0x002F;
    int rsaAes128Gcm = 0x009C;
    assertThat(TlsFixture.serverAnswer(url(), 0x0303, ecdheEcdsaAes128Gcm))
        .isEqualTo("ServerHello");
    assertThat(TlsFixture.serverAnswer(url(), 0x0301, ecdheEcdsaAes128Cbc, rsaAes128Cbc))
        .isEqualTo("alert");
    assertThat(TlsFixture.serverAnswer(url(), 0x0302, ecdheEcdsaAes128Cbc, rsaAes128Cbc))
        .isEqualTo("alert");
    assertThat(
            TlsFixture.serverAnswer(url(), 0x0303, ecdheEcdsaAes128Cbc, ecdheEcdsaAes128CbcSha256))
        .isEqualTo("alert");
    assertThat(TlsFixture.serverAnswer(url(), 0x0303, rsaAes128Gcm, rsaAes128Cbc))
        .isEqualTo("alert");
    assertThat(upstream.count.get()).isZero();
  }

  @ParameterizedTest
  @EnumSource(names = {"openssl", "jdk"})
  void tls13AndTls12CarryTheVerifiedIdentityUpstream(Provider provider) throws Exception {
    start(provider);
    Issued svc = TlsFixture.client(certs.ca, "/ns/team-a/svc");
    for (String[] p :
        new String[][] {
          {"TLSv1.3", "TLS_AES_128_GCM_SHA256"},
          {"TLSv1.3", "TLS_CHACHA20_POLY1305_SHA256"},
          {"TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
          {"TLSv1.2", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"}
        }) {
      HttpResponse<String> r = get(svc, "/team-a/x", p);
      assertThat(r.statusCode()).as("%s %s", p[0], p[1]).isEqualTo(200);
      assertThat(r.sslSession().orElseThrow().getProtocol()).isEqualTo(p[0]);
      assertThat(r.sslSession().orElseThrow().getCipherSuite()).isEqualTo(p[1]);
      assertThat(upstream.seen.poll().header("x-forge-client-identity"))
          .isEqualTo("spiffe://forge.local/ns/team-a/svc");
    }
    // the server's suite order wins over the client's
    HttpResponse<String> ordered =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(TlsFixture.context(svc, certs.ca))
            .sslParameters(
                new SSLParameters(
                    new String[] {
                      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
                      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
                    },
                    new String[] {"TLSv1.2"}))
            .build()
            .send(
                HttpRequest.newBuilder(URI.create(url() + "/open")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(ordered.sslSession().orElseThrow().getCipherSuite())
        .isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    upstream.seen.clear();
    // later connections of one client (which may resume its session) keep the identity
    SSLContext same = TlsFixture.context(svc, certs.ca);
    for (int i = 0; i < 3; i++) {
      try (SSLSocket s = TlsFixture.connect(same, url())) {
        assertThat(TlsFixture.get(s, "/team-a/again").status()).isEqualTo(200);
      }
      assertThat(upstream.seen.poll().header("x-forge-client-identity"))
          .isEqualTo("spiffe://forge.local/ns/team-a/svc");
    }
    HttpResponse<String> other = get(TlsFixture.client(certs.ca, "/ns/team-b/c"), "/team-a/x");
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(other.body())
        .contains("client spiffe://forge.local/ns/team-b/c is not allowed on route team-a");
    assertThat(get(TlsFixture.client(certs.ca, "/ns/team-b/c"), "/open").statusCode())
        .isEqualTo(200);
    assertThat(upstream.seen.poll().header("x-forge-client-identity"))
        .isEqualTo("spiffe://forge.local/ns/team-b/c");
  }

  @ParameterizedTest
  @EnumSource(names = {"openssl", "jdk"})
  void clientsWithoutAUsableCertificateFailTheHandshake(Provider provider) throws Exception {
    start(provider);
    for (Issued bad : TlsFixture.unusableClients(certs.ca)) {
      for (String path : new String[] {"/team-a/x", "/open"}) {
        for (String[] p :
            new String[][] {
              {"TLSv1.3", "TLS_AES_128_GCM_SHA256"},
              {"TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}
            }) {
          assertThatThrownBy(() -> get(bad, path, p))
              .as("%s %s", bad == null ? "no certificate" : bad.certificate(), p[0])
              .isInstanceOf(IOException.class);
        }
      }
    }
    assertThat(upstream.count.get()).isZero();
  }

  @ParameterizedTest
  @EnumSource(names = {"openssl", "jdk"})
  void clientCasAndTheServerCertificateRotateOnFileChange(Provider provider) throws Exception {
    start(provider);
    Issued ca2 = TlsFixture.ca("forge test CA 2");
    SSLContext client1 = TlsFixture.context(TlsFixture.client(certs.ca, "/ns/a/one"), certs.ca);
    SSLContext client2 = TlsFixture.context(TlsFixture.client(ca2, "/ns/a/two"), certs.ca);
    assertThat(TlsFixture.statusOnNewConnection(client1, url(), "/a")).isEqualTo(200);
    assertThat(TlsFixture.statusOnNewConnection(client2, url(), "/a")).isEqualTo(-1);
    try (SSLSocket open = TlsFixture.connect(client1, url())) {
      assertThat(TlsFixture.get(open, "/one").status()).isEqualTo(200);
      // both CAs, then only the new one; the open connection stays up throughout
      Path bundle = dir.resolve("clients.pem");
      AtomicFiles.writeString(bundle, certs.ca.certificatePem() + ca2.certificatePem());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> TlsFixture.statusOnNewConnection(client2, url(), "/b") == 200);
      assertThat(TlsFixture.statusOnNewConnection(client1, url(), "/b")).isEqualTo(200);
      AtomicFiles.writeString(bundle, ca2.certificatePem());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> TlsFixture.statusOnNewConnection(client1, url(), "/c") == -1);
      assertThat(TlsFixture.statusOnNewConnection(client2, url(), "/c")).isEqualTo(200);
      // a new server certificate
      Issued next = TlsFixture.server(certs.ca);
      AtomicFiles.writeString(dir.resolve("server-key.pem"), next.keyPem());
      AtomicFiles.writeString(dir.resolve("server.pem"), next.certificatePem());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> servedCertificate(client2).equals(next.certificate()));
      assertThat(TlsFixture.get(open, "/two").status()).isEqualTo(200);
    }
  }

  private X509Certificate servedCertificate(SSLContext ctx) throws IOException {
    try (SSLSocket s = TlsFixture.connect(ctx, url())) {
      X509Certificate c = (X509Certificate) s.getSession().getPeerCertificates()[0];
      TlsFixture.get(s, "/probe");
      return c;
    }
  }
}
