package dev.kumaforge.gateway.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/** Reads PEM certificates and private keys; every error message names the file and the problem. */
public final class Pem {
  private Pem() {}

  /**
   * Every certificate in {@code file}, in order (a leaf first, then its intermediates).
   *
   * @throws IllegalArgumentException naming the file when it is missing, unreadable or holds none
   */
  public static List<X509Certificate> certificates(Path file) {
    List<X509Certificate> certs = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    for (Object o : objects(file)) {
      if (o instanceof X509CertificateHolder h) {
        try {
          certs.add(converter.getCertificate(h));
        } catch (CertificateException e) {
          throw new IllegalArgumentException(file + ": unreadable certificate: " + e.getMessage());
        }
      }
    }
    if (certs.isEmpty()) {
      throw new IllegalArgumentException(file + ": no PEM CERTIFICATE block");
    }
    return certs;
  }

  /**
   * The one private key in {@code file} (PKCS#8 {@code PRIVATE KEY}, or {@code EC}/{@code RSA
   * PRIVATE KEY}); encrypted keys are refused.
   *
   * @throws IllegalArgumentException naming the file and the problem
   */
  public static PrivateKey privateKey(Path file) {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    for (Object o : objects(file)) {
      try {
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
      } catch (IOException e) {
        throw new IllegalArgumentException(file + ": unreadable private key: " + e.getMessage());
      }
      if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
        throw new IllegalArgumentException(
            file + ": the private key is encrypted (expected: an unencrypted PEM key)");
      }
    }
    throw new IllegalArgumentException(file + ": no PEM PRIVATE KEY block");
  }

  private static List<Object> objects(Path file) {
    List<Object> out = new ArrayList<>();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(r)) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        out.add(o);
      }
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": file not found");
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(file + ": not a readable PEM file: " + e.getMessage());
    }
    return out;
  }
}
