package dev.kumaforge.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.common.tls.DevCertificates;
import dev.kumaforge.common.tls.KeyType;
import dev.kumaforge.common.tls.SpiffeId;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The development certificates work for real TLS 1.3 mutual authentication over a socket, carry
 * exactly the SPIFFE ID asked for, and fail where they must (foreign CA, expired).
 */
class DevCertificatesIT {
  private static final SpiffeId GATEWAY = SpiffeId.parse("spiffe://forge.local/gateway");
  private static final SpiffeId CLIENT = SpiffeId.parse("spiffe://forge.local/ns/team-a/client");
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  private static DevCertificates.Issued ca(String name) {
    return DevCertificates.ca(
        name, KeyType.EC_P256, Instant.now().minusSeconds(60), Duration.ofDays(30));
  }

  private static SSLContext context(DevCertificates.Issued identity, DevCertificates.Issued trust)
      throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    char[] pw = "x".toCharArray();
    if (identity != null) {
      ks.setKeyEntry("id", identity.key(), pw, new X509Certificate[] {identity.certificate()});
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("ca", trust.certificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  /** Runs one mTLS exchange; returns the client certificate the server saw. */
  private X509Certificate handshake(SSLContext server, SSLContext client) throws Exception {
    try (SSLServerSocket ss =
        (SSLServerSocket)
            server
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ss.setNeedClientAuth(true);
      CompletableFuture<X509Certificate> seen =
          CompletableFuture.supplyAsync(
              () -> {
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                  s.startHandshake();
                  X509Certificate peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
                  s.getOutputStream().write('k');
                  s.getOutputStream().flush();
                  return peer;
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              },
              pool);
      try (SSLSocket c =
          (SSLSocket)
              client
                  .getSocketFactory()
                  .createSocket(InetAddress.getLoopbackAddress(), ss.getLocalPort())) {
        c.startHandshake();
        InputStream in = c.getInputStream();
        assertThat(in.read()).isEqualTo('k');
        OutputStream out = c.getOutputStream();
        out.flush();
      }
      return seen.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void mutualTls13WithSpiffeIdentities() throws Exception {
    DevCertificates.Issued ca = ca("forge test CA");
    DevCertificates.Issued server =
        DevCertificates.leaf(
            ca,
            DevCertificates.LeafSpec.server("gateway", GATEWAY, List.of("localhost", "127.0.0.1")));
    DevCertificates.Issued client =
        DevCertificates.leaf(ca, DevCertificates.LeafSpec.client("client", CLIENT));

    X509Certificate seen = handshake(context(server, ca), context(client, ca));
    assertThat(SpiffeIds.of(seen)).containsExactly(CLIENT);
    assertThat(SpiffeIds.of(server.certificate())).containsExactly(GATEWAY);
    assertThat(
            server.certificate().getSubjectAlternativeNames().stream().map(l -> (Object) l.get(1)))
        .contains("localhost", "127.0.0.1", GATEWAY.toString());
    assertThat(server.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(client.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(ca.certificate().getBasicConstraints()).isZero();
    assertThat(server.certificate().getBasicConstraints()).isEqualTo(-1);
  }

  @Test
  void clientFromAForeignCaIsRefused() throws Exception {
    DevCertificates.Issued ca = ca("forge test CA");
    DevCertificates.Issued foreign = ca("someone else's CA");
    DevCertificates.Issued server =
        DevCertificates.leaf(
            ca, DevCertificates.LeafSpec.server("gateway", GATEWAY, List.of("localhost")));
    DevCertificates.Issued intruder =
        DevCertificates.leaf(foreign, DevCertificates.LeafSpec.client("client", CLIENT));
    assertThatThrownBy(() -> handshake(context(server, ca), context(intruder, ca)))
        .isInstanceOf(SSLException.class)
        .hasMessageContaining("bad_certificate");
  }

  @Test
  void expiredLeafAndEveryKeyType(@TempDir Path dir) throws Exception {
    DevCertificates.Issued ca = ca("forge test CA");
    DevCertificates.Issued expired =
        DevCertificates.leaf(
            ca,
            DevCertificates.LeafSpec.client("old", CLIENT)
                .withValidity(Instant.now().minus(Duration.ofDays(2)), Duration.ofDays(1)));
    assertThatThrownBy(() -> expired.certificate().checkValidity())
        .isInstanceOf(CertificateExpiredException.class);

    for (KeyType type : KeyType.values()) {
      DevCertificates.Issued typedCa =
          DevCertificates.ca("ca " + type, type, Instant.now(), Duration.ofDays(1));
      DevCertificates.Issued leaf =
          DevCertificates.leaf(
              typedCa,
              DevCertificates.LeafSpec.server("s", GATEWAY, List.of("localhost"))
                  .withKeyType(type));
      leaf.certificate().verify(typedCa.certificate().getPublicKey());
      DevCertificates.write(dir, "leaf-" + type, leaf);
      X509Certificate parsed =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(
                      new ByteArrayInputStream(
                          Files.readAllBytes(dir.resolve("leaf-" + type + ".pem"))));
      assertThat(parsed).isEqualTo(leaf.certificate());
      assertThat(
              Files.readString(dir.resolve("leaf-" + type + "-key.pem"), StandardCharsets.US_ASCII))
          .startsWith("-----BEGIN PRIVATE KEY-----");
    }
  }

  @Test
  void spiffeIdsAreValidated() {
    assertThat(SpiffeId.parse("spiffe://forge.local/a/b").path()).isEqualTo("/a/b");
    assertThatThrownBy(() -> SpiffeId.parse("https://forge.local/a"))
        .hasMessageContaining("not a SPIFFE ID");
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://forge.local"))
        .hasMessageContaining("no path");
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://Forge.local/a"))
        .hasMessageContaining("trust domain");
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://forge.local/a/../b"))
        .hasMessageContaining("..");
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://forge.local:443/a"))
        .hasMessageContaining("port");
  }
}
