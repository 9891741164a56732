package dev.kumaforge.gateway.tls;

import dev.kumaforge.common.tls.SpiffeId;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies client certificates with the JDK's PKIX checks against the CA bundles, then requires
 * exactly one {@code spiffe://} URI SAN; the identity is kept in the handshake session.
 */
final class SpiffeTrustManager extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager pkix;

  SpiffeTrustManager(X509ExtendedTrustManager pkix) {
    this.pkix = pkix;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    pkix.checkClientTrusted(chain, authType, engine);
    SpiffeId id = ClientIdentity.of(chain[0]);
    SSLSession handshake = engine == null ? null : engine.getHandshakeSession();
    if (handshake != null) {
      handshake.putValue(ClientIdentity.SESSION_KEY, id);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    pkix.checkClientTrusted(chain, authType, socket);
    ClientIdentity.of(chain[0]);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    pkix.checkClientTrusted(chain, authType);
    ClientIdentity.of(chain[0]);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("a server listener does not verify servers");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("a server listener does not verify servers");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("a server listener does not verify servers");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix.getAcceptedIssuers();
  }
}
