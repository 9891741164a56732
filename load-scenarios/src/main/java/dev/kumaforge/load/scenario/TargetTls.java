package dev.kumaforge.load.scenario;

import dev.kumaforge.common.config.Validator;
import dev.kumaforge.common.tls.Pem;
import java.nio.file.Path;

/**
 * How the load engine speaks TLS to an {@code https://} target: the CAs that verify it and an
 * optional client certificate (mutual TLS). Paths resolve against the scenario's folder.
 *
 * @param caBundle PEM CA file that verifies the target's certificate; default: the JVM's trust
 *     store
 * @param certificate PEM client certificate chain presented to the target; with privateKey
 * @param privateKey unencrypted PKCS#8 PEM key of {@code certificate}
 */
public record TargetTls(String caBundle, String certificate, String privateKey) {

  TargetTls resolvedAgainst(Path baseDir) {
    return new TargetTls(
        Target.resolve(baseDir, caBundle),
        Target.resolve(baseDir, certificate),
        Target.resolve(baseDir, privateKey));
  }

  /** Whether a client certificate is presented. */
  public boolean mutual() {
    return certificate != null;
  }

  /** Reads the (resolved) files; errors name their key below {@code v}. */
  void checkFiles(Validator v) {
    Pem.validate(v, certificate, privateKey, false, "caBundle", caBundle);
  }
}
