package dev.kumaforge.common.tls;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Locale;

/** Key types {@link DevCertificates} can create; EC P-256 is the default. */
public enum KeyType {
  EC_P256("ec-p256", "SHA256withECDSA"),
  EC_P384("ec-p384", "SHA384withECDSA"),
  RSA_2048("rsa-2048", "SHA256withRSA");

  private final String id;
  private final String signatureAlgorithm;

  KeyType(String id, String signatureAlgorithm) {
    this.id = id;
    this.signatureAlgorithm = signatureAlgorithm;
  }

  /** The name used on the command line, e.g. {@code ec-p256}. */
  public String id() {
    return id;
  }

  String signatureAlgorithm() {
    return signatureAlgorithm;
  }

  /** The key type named {@code id}; the error lists the choices. */
  public static KeyType of(String id) {
    for (KeyType k : values()) {
      if (k.id.equals(id.toLowerCase(Locale.ROOT))) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "'"
            + id
            + "' is not a key type (expected one of: "
            + Arrays.stream(values()).map(KeyType::id).toList()
            + ")");
  }

  KeyPair generate(SecureRandom random) throws GeneralSecurityException {
    KeyPairGenerator kpg;
    switch (this) {
      case EC_P256 -> {
        kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(new ECGenParameterSpec("secp256r1"), random);
      }
      case EC_P384 -> {
        kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(new ECGenParameterSpec("secp384r1"), random);
      }
      default -> {
        kpg = KeyPairGenerator.getInstance("RSA");
        kpg.initialize(2048, random);
      }
    }
    return kpg.generateKeyPair();
  }

  @Override
  public String toString() {
    return id;
  }
}
