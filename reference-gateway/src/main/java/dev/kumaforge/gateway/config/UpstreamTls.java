package dev.kumaforge.gateway.config;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.common.tls.Pem;
import dev.kumaforge.common.tls.SpiffeId;

/**
 * TLS to a backend's endpoints: which CAs verify the backend, the client certificate the gateway
 * presents (mutual TLS), the server name and an optional SPIFFE ID the backend must carry.
 *
 * @param caBundle PEM CA file that verifies the backend's certificate; default: the JVM's trust
 *     store
 * @param certificate PEM client certificate chain presented to the backend; with privateKey
 * @param privateKey unencrypted PKCS#8 PEM key of {@code certificate}
 * @param sni server name sent in SNI and checked against the certificate; default: the endpoint's
 *     host
 * @param spiffeId when set, the backend certificate's one {@code spiffe://} URI SAN must equal it
 */
public record UpstreamTls(
    String caBundle, String certificate, String privateKey, String sni, String spiffeId)
    implements Validatable {

  @Override
  public void validate(Validator v) {
    Pem.validate(v, certificate, privateKey, false, "caBundle", caBundle);
    if (sni != null) {
      v.check(
          sni.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?"),
          "sni",
          "'" + sni + "'",
          "a DNS host name");
    }
    if (spiffeId != null) {
      try {
        SpiffeId.parse(spiffeId);
      } catch (IllegalArgumentException e) {
        v.error("spiffeId", e.getMessage());
      }
    }
  }
}
