package dev.kumaforge.common.tls;

import dev.kumaforge.common.config.Validator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads PEM certificates and PKCS#8 private keys (as {@code forge certs} writes them) into JDK key
 * and trust managers, with messages that name the file; pure JDK, no BouncyCastle.
 *
 * <pre>{@code
 * KeyManagerFactory km = Pem.keyManagers(Path.of("server.pem"), Path.of("server-key.pem"));
 * TrustManagerFactory tm = Pem.trustManagers(Path.of("ca.pem"));
 * }</pre>
 */
public final class Pem {
  private static final Pattern PRIVATE_KEY =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
  private static final char[] NO_PASSWORD = new char[0];

  private Pem() {}

  /** Every certificate of a PEM file, in order; at least one. */
  public static List<X509Certificate> certificates(Path file) {
    byte[] bytes = read(file);
    try {
      List<X509Certificate> certs = new ArrayList<>();
      for (Certificate c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(bytes))) {
        certs.add((X509Certificate) c);
      }
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(file + ": no PEM certificate in the file");
      }
      return certs;
    } catch (CertificateException e) {
      throw new IllegalArgumentException(
          file + ": not a PEM certificate file (" + e.getMessage() + ")", e);
    }
  }

  /** The unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}) EC or RSA key of a PEM file. */
  public static PrivateKey privateKey(Path file) {
    String text = new String(read(file), StandardCharsets.US_ASCII);
    Matcher m = PRIVATE_KEY.matcher(text);
    if (!m.find()) {
      throw new IllegalArgumentException(
          file
              + ": no '-----BEGIN PRIVATE KEY-----' block (expected: an unencrypted PKCS#8 key;"
              + " convert with: openssl pkcs8 -topk8 -nocrypt -in KEY)");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": the private key is not valid base64", e);
    }
    for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException(file + ": the private key is neither EC, RSA nor Ed25519");
  }

  /** Key managers presenting the chain in {@code certificate} with {@code privateKey}. */
  public static KeyManagerFactory keyManagers(Path certificate, Path privateKey) {
    List<X509Certificate> chain = certificates(certificate);
    PrivateKey key = privateKey(privateKey);
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("key", key, NO_PASSWORD, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, NO_PASSWORD);
      return kmf;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(certificate + " with " + privateKey + ": " + e, e);
    }
  }

  /** Trust managers that accept chains ending at any certificate of {@code caBundle}. */
  public static TrustManagerFactory trustManagers(Path caBundle) {
    List<X509Certificate> cas = certificates(caBundle);
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        ks.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      return tmf;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(caBundle + ": " + e.getMessage(), e);
    }
  }

  /**
   * Validates a config's PEM file keys at once: {@code certificate} and {@code privateKey} must be
   * given together (or neither, unless {@code identityRequired}) and readable, {@code caBundle}
   * readable when given. Each error names its key below {@code v}.
   */
  public static void validate(
      Validator v,
      String certificate,
      String privateKey,
      boolean identityRequired,
      String caBundleKey,
      String caBundle) {
    boolean hasCert = certificate != null && !certificate.isBlank();
    boolean hasKey = privateKey != null && !privateKey.isBlank();
    if (identityRequired || hasCert || hasKey) {
      if (v.required(certificate, "certificate")) {
        check(v, "certificate", () -> certificates(Path.of(certificate)));
      }
      if (v.required(privateKey, "privateKey")) {
        check(v, "privateKey", () -> privateKey(Path.of(privateKey)));
      }
    }
    if (caBundle != null) {
      check(v, caBundleKey, () -> certificates(Path.of(caBundle)));
    }
  }

  private static void check(Validator v, String key, Runnable read) {
    try {
      read.run();
    } catch (IllegalArgumentException e) {
      v.error(key, e.getMessage());
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          file + ": cannot read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }
  }
}
