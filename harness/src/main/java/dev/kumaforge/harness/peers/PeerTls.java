package dev.kumaforge.harness.peers;

import java.nio.file.Path;

/**
 * A peer's TLS listener: PEM certificate and key, and a client CA bundle that makes it mutual TLS
 * (nginx {@code ssl_verify_client on}, HAProxy {@code verify required}).
 *
 * @param certificate PEM certificate chain, required
 * @param privateKey PEM private key of {@code certificate}, required
 * @param clientCaBundle PEM CA file verifying client certificates, or null for TLS without them
 */
public record PeerTls(Path certificate, Path privateKey, Path clientCaBundle) {
  public PeerTls {
    if (certificate == null || privateKey == null) {
      throw new IllegalArgumentException("peer TLS needs a certificate and a private key");
    }
    certificate = certificate.toAbsolutePath().normalize();
    privateKey = privateKey.toAbsolutePath().normalize();
    clientCaBundle = clientCaBundle == null ? null : clientCaBundle.toAbsolutePath().normalize();
  }

  /** Whether client certificates are required. */
  public boolean mutual() {
    return clientCaBundle != null;
  }
}
