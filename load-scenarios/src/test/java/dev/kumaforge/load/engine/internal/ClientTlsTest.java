package dev.kumaforge.load.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.common.tls.DevCertificates;
import dev.kumaforge.common.tls.DevCertificates.Issued;
import dev.kumaforge.common.tls.DevCertificates.LeafSpec;
import dev.kumaforge.common.tls.KeyType;
import dev.kumaforge.common.tls.Pem;
import dev.kumaforge.common.tls.SpiffeId;
import dev.kumaforge.load.scenario.TargetTls;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine's client TLS verifies the server's chain and host name and presents its client
 * certificate alike with BoringSSL and the JDK (handshakes in memory against a JDK server).
 */
class ClientTlsTest {
  @TempDir static Path certs;
  private static TargetTls mutual;

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
    Issued other = DevCertificates.ca("other", KeyType.EC_P256, Instant.now(), Duration.ofDays(1));
    DevCertificates.write(certs, "other-ca", other);
    mutual =
        new TargetTls(
            certs.resolve("ca.pem").toString(),
            certs.resolve("client.pem").toString(),
            certs.resolve("client-key.pem").toString());
  }

  @Test
  void boringSslIsTheDefaultWhereItLoads() {
    assertThat(OpenSsl.isAvailable()).as("%s", OpenSsl.unavailabilityCause()).isTrue();
    assertThat(ClientTls.defaultProvider()).isEqualTo(SslProvider.OPENSSL);
    assertThat(new ClientTls(mutual, "127.0.0.1", 443, false).provider())
        .isEqualTo(SslProvider.OPENSSL);
  }

  @ParameterizedTest
  @EnumSource(names = {"OPENSSL", "JDK"})
  void theServerIsVerifiedAndTheClientCertificatePresented(SslProvider provider) throws Exception {
    SSLSession server = handshake(new ClientTls(mutual, "127.0.0.1", 443, true, provider));
    assertThat(server).isNotNull();
    assertThat(server.getPeerCertificates()).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(names = {"OPENSSL", "JDK"})
  void aWrongHostNameOrAnUntrustedChainFails(SslProvider provider) throws Exception {
    assertThat(handshake(new ClientTls(mutual, "127.0.0.2", 443, true, provider))).isNull();
    TargetTls otherCa =
        new TargetTls(
            certs.resolve("other-ca.pem").toString(), mutual.certificate(), mutual.privateKey());
    assertThat(handshake(new ClientTls(otherCa, "127.0.0.1", 443, true, provider))).isNull();
  }

  /** The server's session once the handshake succeeded, null when it failed. */
  private static SSLSession handshake(ClientTls tls) throws Exception {
    SslContext serverContext =
        SslContextBuilder.forServer(
                Pem.keyManagers(certs.resolve("server.pem"), certs.resolve("server-key.pem")))
            .sslProvider(SslProvider.JDK)
            .trustManager(Pem.trustManagers(certs.resolve("ca.pem")))
            .clientAuth(ClientAuth.REQUIRE)
            .build();
    SslHandler serverTls = serverContext.newHandler(ByteBufAllocator.DEFAULT);
    SslHandler clientTls = tls.newHandler(ByteBufAllocator.DEFAULT);
    EmbeddedChannel client = new EmbeddedChannel(clientTls);
    EmbeddedChannel server = new EmbeddedChannel(serverTls);
    try {
      for (int i = 0;
          i < 50 && !(clientTls.handshakeFuture().isDone() && serverTls.handshakeFuture().isDone());
          i++) {
        ByteBuf b;
        while ((b = client.readOutbound()) != null) {
          server.writeInbound(b);
        }
        while ((b = server.readOutbound()) != null) {
          client.writeInbound(b);
        }
      }
    } catch (Exception e) {
      return null;
    } finally {
      client.finishAndReleaseAll();
      server.finishAndReleaseAll();
    }
    if (!clientTls.handshakeFuture().isSuccess() || !serverTls.handshakeFuture().isSuccess()) {
      return null;
    }
    return serverTls.engine().getSession();
  }
}
