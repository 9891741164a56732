package dev.kumaforge.load.scenario;

import dev.kumaforge.common.config.Validator;
import dev.kumaforge.common.tls.Pem;
import java.nio.file.Path;

/**
 * The TLS listener of a generated nginx or HAProxy target: its certificate and key, and a client CA
 * bundle that makes it mutual TLS (client certificates required). Paths resolve against the
 * scenario's folder.
 *
 * @param certificate PEM server certificate chain, required
 * @param privateKey unencrypted PKCS#8 PEM key of {@code certificate}, required
 * @param clientCaBundle PEM CA file; when set, clients must present a certificate it signed
 */
public record ListenerTls(String certificate, String privateKey, String clientCaBundle) {

  ListenerTls resolvedAgainst(Path baseDir) {
    return new ListenerTls(
        Target.resolve(baseDir, certificate),
        Target.resolve(baseDir, privateKey),
        Target.resolve(baseDir, clientCaBundle));
  }

  /** Whether client certificates are required. */
  public boolean mutual() {
    return clientCaBundle != null;
  }

  /** Reads the (resolved) files; errors name their key below {@code v}. */
  void checkFiles(Validator v) {
    Pem.validate(v, certificate, privateKey, true, "clientCaBundle", clientCaBundle);
  }
}
