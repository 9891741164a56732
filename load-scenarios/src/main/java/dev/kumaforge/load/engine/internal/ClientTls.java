package dev.kumaforge.load.engine.internal;

import dev.kumaforge.common.tls.Pem;
import dev.kumaforge.load.scenario.TargetTls;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * The engine's client TLS: verifies the target's certificate chain and host name, presents a client
 * certificate when configured; one handler per connection. BoringSSL (Netty's OpenSSL provider,
 * netty-tcnative) where it loads, else the JDK: a handshake costs the single event loop several
 * times less CPU with BoringSSL, so a growing pool delays scheduled sends less.
 */
public final class ClientTls {
  private final SslContext context;
  private final SslProvider provider;
  private final String host;
  private final int port;
  private final boolean fullHandshakes;
  private long sessionKeys;

  /**
   * A client context for {@code host:port}.
   *
   * @param tls CA bundle and client certificate, or null for the JVM's trust store
   * @param fullHandshakes never resume a session: every connection makes a full handshake
   */
  public ClientTls(TargetTls tls, String host, int port, boolean fullHandshakes) {
    this(tls, host, port, fullHandshakes, defaultProvider());
  }

  /**
   * A client context for {@code host:port} on {@code provider} ({@link SslProvider#OPENSSL} or
   * {@link SslProvider#JDK}).
   */
  public ClientTls(
      TargetTls tls, String host, int port, boolean fullHandshakes, SslProvider provider) {
    this.provider = provider;
    this.host = host;
    this.port = port;
    this.fullHandshakes = fullHandshakes;
    try {
      SslContextBuilder b =
          SslContextBuilder.forClient()
              .sslProvider(provider)
              .protocols("TLSv1.3", "TLSv1.2")
              .endpointIdentificationAlgorithm("HTTPS");
      if (tls != null && tls.caBundle() != null) {
        b.trustManager(Pem.trustManagers(Path.of(tls.caBundle())));
      }
      if (tls != null && tls.mutual()) {
        KeyManagerFactory keys =
            Pem.keyManagers(Path.of(tls.certificate()), Path.of(tls.privateKey()));
        // with BoringSSL, hand it the key and chain once rather than on every handshake
        b.keyManager(
            provider == SslProvider.JDK ? keys : new OpenSslCachingX509KeyManagerFactory(keys));
      }
      this.context = b.build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("cannot build the client TLS context: " + e, e);
    }
  }

  /** {@link SslProvider#OPENSSL} when netty-tcnative loads on this machine, else the JDK. */
  public static SslProvider defaultProvider() {
    return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  /** The provider this context uses. */
  public SslProvider provider() {
    return provider;
  }

  /** A new handler for one connection, with HTTPS host name verification (event loop only). */
  public SslHandler newHandler(ByteBufAllocator alloc) {
    // Both providers resume a cached session (TLS 1.3 PSK, 1.2 ticket or id) for the same host:port
    // key (Netty's OpenSSL client session cache is keyed like the JDK's);
    // a key no earlier connection used makes every handshake a full one. The port only names the
    // cache entry (host name checks and SNI use the host).
    int key = fullHandshakes ? (int) (sessionKeys++ & 0x3FFFFFFF) + 65536 : port;
    SslHandler h = context.newHandler(alloc, host, key);
    SSLParameters p = h.engine().getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    h.engine().setSSLParameters(p);
    return h;
  }
}
