package dev.kumaforge.gateway.tls;

import dev.kumaforge.common.tls.SpiffeId;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Reads SPIFFE IDs from a certificate's URI SANs. */
public final class SpiffeIds {
  private static final int URI_SAN = 6;

  private SpiffeIds() {}

  /**
   * Every {@code spiffe://} URI SAN of {@code cert}, in order. A workload certificate must carry
   * exactly one; callers reject zero or several.
   *
   * @throws IllegalArgumentException when a {@code spiffe://} SAN is malformed
   */
  public static List<SpiffeId> of(X509Certificate cert) {
    List<SpiffeId> ids = new ArrayList<>();
    Collection<List<?>> sans;
    try {
      sans = cert.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new IllegalArgumentException("unreadable subject alternative names", e);
    }
    if (sans == null) {
      return ids;
    }
    for (List<?> san : sans) {
      if (san.size() >= 2
          && Integer.valueOf(URI_SAN).equals(san.get(0))
          && san.get(1) instanceof String uri
          && uri.startsWith("spiffe://")) {
        ids.add(SpiffeId.parse(uri));
      }
    }
    return ids;
  }
}
