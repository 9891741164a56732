package dev.kumaforge.backends.config;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.common.tls.Pem;
import java.util.List;
import java.util.Set;

/**
 * A provider's TLS listener: PEM certificate and key, optionally a client CA bundle that turns on
 * mutual TLS (client certificates required).
 *
 * @param certificate PEM certificate chain file, leaf first, required
 * @param privateKey unencrypted PKCS#8 PEM key file, required
 * @param clientCaBundle PEM CA file; when set, clients must present a certificate it signed
 * @param protocols TLS versions offered, default [TLSv1.3, TLSv1.2]
 */
public record TlsConfig(
    String certificate, String privateKey, String clientCaBundle, List<String> protocols)
    implements Validatable {
  private static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  /** Applies defaults. */
  public TlsConfig {
    protocols = protocols == null ? List.of("TLSv1.3", "TLSv1.2") : List.copyOf(protocols);
  }

  /** Whether client certificates are required. */
  public boolean mutual() {
    return clientCaBundle != null;
  }

  @Override
  public void validate(Validator v) {
    Pem.validate(v, certificate, privateKey, true, "clientCaBundle", clientCaBundle);
    v.check(!protocols.isEmpty(), "protocols", "[]", "at least one of TLSv1.2, TLSv1.3");
    for (int i = 0; i < protocols.size(); i++) {
      String p = protocols.get(i);
      v.check(PROTOCOLS.contains(p), "protocols[" + i + "]", p, "TLSv1.2 or TLSv1.3");
    }
  }
}
