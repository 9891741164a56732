package dev.kumaforge.gateway.tls;

import dev.kumaforge.common.config.Validator;
import io.netty.handler.ssl.OpenSsl;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * A listener's TLS settings (documented with defaults in {@code reference.yaml}).
 *
 * @param certificate PEM file: the server certificate, then its intermediates
 * @param privateKey PEM file: the certificate's unencrypted private key
 * @param protocols enabled protocols, default {@link #DEFAULT_PROTOCOLS}
 * @param cipherSuites enabled suites in preference order, default {@link #DEFAULT_CIPHER_SUITES}
 * @param clientValidation {@code none} (default) or {@code require} (mTLS with a SPIFFE identity)
 * @param clientCaBundles PEM files whose certificates are trusted to sign client certificates
 * @param reloadInterval how often the files are checked for change, default 5s
 * @param provider TLS implementation: {@code auto} (default: OpenSSL/BoringSSL when Netty's
 *     netty-tcnative is loadable, else the JDK), {@code openssl} or {@code jdk}
 */
public record TlsConfig(
    String certificate,
    String privateKey,
    List<String> protocols,
    List<String> cipherSuites,
    ClientValidation clientValidation,
    List<String> clientCaBundles,
    Duration reloadInterval,
    Provider provider) {

  /** TLS 1.3 and 1.2; older versions are never allowed. */
  public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /** TLS 1.3 suites and TLS 1.2 ECDHE suites with AEAD ciphers (GCM, ChaCha20-Poly1305) only. */
  public static final List<String> DEFAULT_CIPHER_SUITES =
      List.of(
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private static final Set<String> ALLOWED_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  /** Which TLS implementation serves the handshakes. */
  public enum Provider {
    /** OpenSSL (BoringSSL through netty-tcnative) when it is available, else the JDK. */
    auto,
    /** OpenSSL (BoringSSL through netty-tcnative); a config error where it is not available. */
    openssl,
    /** The JDK's SSLEngine (SunJSSE). */
    jdk
  }

  /** Whether clients must present a certificate. */
  public enum ClientValidation {
    /** No client certificate is asked for. */
    none,
    /** A client certificate signed by a CA of {@code clientCaBundles} with one SPIFFE ID. */
    require
  }

  public TlsConfig {
    protocols = protocols == null ? DEFAULT_PROTOCOLS : List.copyOf(protocols);
    cipherSuites = cipherSuites == null ? DEFAULT_CIPHER_SUITES : List.copyOf(cipherSuites);
    clientValidation = clientValidation == null ? ClientValidation.none : clientValidation;
    clientCaBundles = clientCaBundles == null ? List.of() : List.copyOf(clientCaBundles);
    reloadInterval = reloadInterval == null ? Duration.ofSeconds(5) : reloadInterval;
    provider = provider == null ? Provider.auto : provider;
  }

  /** The TLS 1.3 suites, which BoringSSL always enables together with TLS 1.3. */
  static final List<String> TLS13_SUITES =
      List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

  /**
   * Why OpenSSL (BoringSSL) cannot serve exactly these protocols and suites, or null when it can.
   * BoringSSL enables every TLS 1.3 suite whenever TLS 1.3 is on, and Netty gives it its default
   * TLS 1.2 list (CBC and static-RSA suites included) when the configured list has no TLS 1.2
   * suite: such configs stay on the JDK.
   */
  public String openSslMismatch() {
    if (protocols.contains("TLSv1.3") && !cipherSuites.containsAll(TLS13_SUITES)) {
      return "BoringSSL enables all of " + TLS13_SUITES + " with TLSv1.3, cipherSuites lists fewer";
    }
    if (protocols.contains("TLSv1.2")
        && cipherSuites.stream().noneMatch(s -> s.startsWith("TLS_ECDHE_"))) {
      return "with TLSv1.2 and no TLS_ECDHE_* suite in cipherSuites, BoringSSL would use its own"
          + " TLS 1.2 defaults";
    }
    return null;
  }

  /**
   * {@link Provider#openssl} or {@link Provider#jdk}: {@code auto} is OpenSSL when netty-tcnative
   * loads and {@link #openSslMismatch()} is null.
   */
  public Provider effectiveProvider() {
    if (provider != Provider.auto) {
      return provider;
    }
    return OpenSsl.isAvailable() && openSslMismatch() == null ? Provider.openssl : Provider.jdk;
  }

  /** This config with another provider. */
  public TlsConfig withProvider(Provider other) {
    return new TlsConfig(
        certificate,
        privateKey,
        protocols,
        cipherSuites,
        clientValidation,
        clientCaBundles,
        reloadInterval,
        other);
  }

  /** Whether clients must present a certificate (mTLS). */
  public boolean mutual() {
    return clientValidation == ClientValidation.require;
  }

  /** Checks the keys' values (not the files: see {@link #checkFiles}). */
  public void validate(Validator v) {
    v.required(certificate, "certificate");
    v.required(privateKey, "privateKey");
    if (v.check(!protocols.isEmpty(), "protocols", "[]", "at least one of [TLSv1.3, TLSv1.2]")) {
      for (int i = 0; i < protocols.size(); i++) {
        String p = protocols.get(i);
        v.check(
            ALLOWED_PROTOCOLS.contains(p),
            "protocols[" + i + "]",
            "'" + p + "'",
            "TLSv1.3 or TLSv1.2 (older versions are insecure)");
      }
    }
    Set<String> supported = supportedSuites();
    if (v.check(!cipherSuites.isEmpty(), "cipherSuites", "[]", "at least one suite")) {
      for (int i = 0; i < cipherSuites.size(); i++) {
        String s = cipherSuites.get(i);
        String key = "cipherSuites[" + i + "]";
        if (v.check(supported.contains(s), key, "'" + s + "'", "a suite this JVM supports")) {
          v.check(
              isForwardSecretAead(s),
              key,
              "'" + s + "'",
              "a TLS 1.3 suite or a TLS_ECDHE_* suite with GCM or CHACHA20_POLY1305"
                  + " (CBC and static-RSA suites are refused)");
        }
      }
    }
    if (mutual()) {
      v.check(
          !clientCaBundles.isEmpty(),
          "clientCaBundles",
          "[]",
          "at least one PEM file with clientValidation: require");
    } else {
      v.check(
          clientCaBundles.isEmpty(),
          "clientCaBundles",
          clientCaBundles,
          "no bundles unless clientValidation is require");
    }
    v.check(
        !reloadInterval.isNegative() && !reloadInterval.isZero(),
        "reloadInterval",
        reloadInterval,
        "a duration > 0");
    if (provider == Provider.openssl && !OpenSsl.isAvailable()) {
      Throwable why = OpenSsl.unavailabilityCause();
      v.error(
          "provider",
          "'openssl' but OpenSSL (netty-tcnative) cannot be loaded here"
              + (why == null ? "" : " (" + why + ")")
              + "; use auto or jdk");
    } else if (provider == Provider.openssl && openSslMismatch() != null) {
      v.error(
          "provider",
          "'openssl' cannot serve these settings: " + openSslMismatch() + "; use auto or jdk");
    }
  }

  /** Reads the files and records each problem under its key (missing, unreadable, mismatched). */
  public void checkFiles(Validator v) {
    List<X509Certificate> chain = null;
    PrivateKey key = null;
    if (certificate != null) {
      try {
        chain = Pem.certificates(Path.of(certificate));
        Date notAfter = chain.get(0).getNotAfter();
        v.check(
            notAfter.after(new Date()),
            "certificate",
            "'" + certificate + "' expired at " + notAfter.toInstant(),
            "a certificate that is valid now");
      } catch (IllegalArgumentException e) {
        v.error("certificate", e.getMessage());
      }
    }
    if (privateKey != null) {
      try {
        key = Pem.privateKey(Path.of(privateKey));
      } catch (IllegalArgumentException e) {
        v.error("privateKey", e.getMessage());
      }
    }
    if (chain != null && key != null && !matches(key, chain.get(0))) {
      v.error(
          "privateKey",
          "'" + privateKey + "' is not the key of the certificate in '" + certificate + "'");
    }
    for (int i = 0; i < clientCaBundles.size(); i++) {
      try {
        Pem.certificates(Path.of(clientCaBundles.get(i)));
      } catch (IllegalArgumentException e) {
        v.error("clientCaBundles[" + i + "]", e.getMessage());
      }
    }
  }

  /** This config with relative file names resolved against {@code dir}. */
  public TlsConfig resolvedAgainst(Path dir) {
    List<String> bundles = new ArrayList<>();
    clientCaBundles.forEach(b -> bundles.add(resolve(dir, b)));
    return new TlsConfig(
        resolve(dir, certificate),
        resolve(dir, privateKey),
        protocols,
        cipherSuites,
        clientValidation,
        bundles,
        reloadInterval,
        provider);
  }

  private static String resolve(Path dir, String file) {
    return file == null ? null : dir.resolve(file).normalize().toString();
  }

  static boolean isForwardSecretAead(String suite) {
    if (suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_")) {
      return true;
    }
    return suite.startsWith("TLS_ECDHE_")
        && (suite.contains("_GCM_") || suite.contains("_CHACHA20_POLY1305_"));
  }

  private static Set<String> supportedSuites() {
    try {
      return new HashSet<>(
          Arrays.asList(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no default TLS context", e);
    }
  }

  /** Whether {@code key} signs what the certificate's public key verifies. */
  static boolean matches(PrivateKey key, X509Certificate cert) {
    String alg = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
    try {
      byte[] probe = "forge key probe".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature verify = Signature.getInstance(alg);
      verify.initVerify(cert.getPublicKey());
      verify.update(probe);
      return verify.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
