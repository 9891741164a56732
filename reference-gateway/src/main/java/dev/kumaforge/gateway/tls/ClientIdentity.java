package dev.kumaforge.gateway.tls;

import dev.kumaforge.common.tls.SpiffeId;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The SPIFFE identity of an mTLS client: the one URI SAN of its certificate, which must be a {@code
 * spiffe://} ID. A certificate with no URI SAN, several, or a non-SPIFFE one has no identity and
 * fails the handshake ({@link SpiffeTrustManager}).
 */
public final class ClientIdentity {
  /** SSL session value under which the verified identity is kept. */
  static final String SESSION_KEY = "dev.kumaforge.spiffe-id";

  /** Session value meaning "the peer has no identity", so TLS-only sessions are checked once. */
  private static final String NONE = "none";

  private static final int URI_SAN = 6;

  private ClientIdentity() {}

  /**
   * The identity of a verified client certificate.
   *
   * @throws CertificateException naming what is wrong with the URI SANs
   */
  public static SpiffeId of(X509Certificate cert) throws CertificateException {
    Collection<List<?>> sans;
    try {
      sans = cert.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new CertificateException("unreadable subject alternative names", e);
    }
    String uri = null;
    int uris = 0;
    if (sans != null) {
      for (List<?> san : sans) {
        if (san.size() >= 2 && Integer.valueOf(URI_SAN).equals(san.get(0))) {
          uris++;
          uri = String.valueOf(san.get(1));
        }
      }
    }
    if (uris != 1) {
      throw new CertificateException(
          "the client certificate has "
              + uris
              + " URI SANs (expected: exactly one spiffe://<trust-domain>/<path>)");
    }
    try {
      return SpiffeId.parse(uri);
    } catch (IllegalArgumentException e) {
      throw new CertificateException("client certificate URI SAN " + e.getMessage());
    }
  }

  /**
   * The verified identity of the peer of {@code session}, or null when the peer sent no certificate
   * (plain TLS) or none that names one SPIFFE ID.
   */
  public static SpiffeId of(SSLSession session) {
    if (session == null) {
      return null;
    }
    Object cached = session.getValue(SESSION_KEY);
    if (cached instanceof SpiffeId id) {
      return id;
    }
    if (cached != null) {
      return null;
    }
    SpiffeId id = null;
    try {
      Certificate[] peer = session.getPeerCertificates();
      if (peer.length > 0 && peer[0] instanceof X509Certificate leaf) {
        id = of(leaf);
      }
    } catch (SSLPeerUnverifiedException | CertificateException e) {
      // no verified client certificate (plain TLS): no identity
    }
    session.putValue(SESSION_KEY, id == null ? NONE : id);
    return id;
  }
}
