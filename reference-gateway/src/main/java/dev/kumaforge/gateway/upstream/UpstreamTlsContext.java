package dev.kumaforge.gateway.upstream;

import dev.kumaforge.common.tls.Pem;
import dev.kumaforge.common.tls.SpiffeId;
import dev.kumaforge.gateway.config.UpstreamTls;
import dev.kumaforge.gateway.tls.SpiffeIds;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;

/**
 * A backend's client-side TLS, built once from its {@code tls} config: every connection gets an
 * {@link SSLEngine} that verifies the backend's certificate and host name (HTTPS endpoint
 * identification against {@code sni} or the endpoint host), presents the client certificate when
 * one is configured, and checks the SPIFFE ID when one is required.
 */
public final class UpstreamTlsContext {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final SSLContext ssl;
  private final String sni;
  private final HttpsConnectionContext https;

  private UpstreamTlsContext(SSLContext ssl, String sni) {
    this.ssl = ssl;
    this.sni = sni;
    this.https = ConnectionContext.httpsClient(this::engine);
  }

  /**
   * Reads the files named by {@code config}.
   *
   * @throws IllegalArgumentException naming the file that cannot be used
   */
  public static UpstreamTlsContext of(UpstreamTls config) {
    try {
      TrustManagerFactory tmf;
      if (config.caBundle() != null) {
        tmf = Pem.trustManagers(Path.of(config.caBundle()));
      } else {
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
      }
      TrustManager[] trust = tmf.getTrustManagers();
      if (config.spiffeId() != null) {
        trust =
            new TrustManager[] {
              new SpiffeCheck(jdkTrustManager(trust), SpiffeId.parse(config.spiffeId()))
            };
      }
      KeyManager[] keys =
          config.certificate() == null
              ? null
              : Pem.keyManagers(Path.of(config.certificate()), Path.of(config.privateKey()))
                  .getKeyManagers();
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(keys, trust, null);
      return new UpstreamTlsContext(ssl, config.sni());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot build the upstream TLS context: " + e, e);
    }
  }

  /** The Pekko HTTP client context for this backend's pools and health checks. */
  public HttpsConnectionContext https() {
    return https;
  }

  /** A client engine for one connection to {@code host:port}. */
  SSLEngine engine(String host, int port) {
    return engine(host, port, List.of());
  }

  /**
   * A client engine for one connection to {@code host:port} that offers {@code alpn} (for example
   * {@code h2}) in TLS ALPN, when not empty.
   */
  public SSLEngine engine(String host, int port, List<String> alpn) {
    String name = sni != null ? sni : host;
    SSLEngine engine = ssl.createSSLEngine(name, port);
    engine.setUseClientMode(true);
    SSLParameters p = engine.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    p.setProtocols(PROTOCOLS);
    if (sni != null) {
      p.setServerNames(List.of(new SNIHostName(sni)));
    }
    if (!alpn.isEmpty()) {
      p.setApplicationProtocols(alpn.toArray(new String[0]));
    }
    engine.setSSLParameters(p);
    return engine;
  }

  private static X509ExtendedTrustManager jdkTrustManager(TrustManager[] managers) {
    for (TrustManager m : managers) {
      if (m instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("the JDK offers no X509ExtendedTrustManager");
  }

  /** The JDK's chain and host name checks, then: exactly one SPIFFE ID, the expected one. */
  private static final class SpiffeCheck extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final SpiffeId expected;

    SpiffeCheck(X509ExtendedTrustManager delegate, SpiffeId expected) {
      this.delegate = delegate;
      this.expected = expected;
    }

    private void checkId(X509Certificate[] chain) throws CertificateException {
      List<SpiffeId> ids;
      try {
        ids = SpiffeIds.of(chain[0]);
      } catch (IllegalArgumentException e) {
        throw new CertificateException("backend certificate: " + e.getMessage(), e);
      }
      if (!ids.equals(List.of(expected))) {
        throw new CertificateException(
            "backend certificate SPIFFE IDs " + ids + " (expected exactly " + expected + ")");
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      delegate.checkServerTrusted(chain, authType, engine);
      checkId(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      delegate.checkServerTrusted(chain, authType, socket);
      checkId(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      delegate.checkServerTrusted(chain, authType);
      checkId(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }
}
