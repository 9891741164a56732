package dev.kumaforge.common.tls;

import dev.kumaforge.common.files.AtomicFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Creates a CA and leaf certificates with SPIFFE IDs for development and tests (the {@code forge
 * certs} command): never for production, the keys are written unencrypted.
 *
 * <pre>{@code
 * Issued ca = DevCertificates.ca("forge dev CA", KeyType.EC_P256, Instant.now(), Duration.ofDays(365));
 * Issued server = DevCertificates.leaf(ca, LeafSpec.server("gateway",
 *     SpiffeId.parse("spiffe://forge.local/gateway"), List.of("localhost", "127.0.0.1")));
 * DevCertificates.write(dir, "server", server);   // server.pem, server-key.pem
 * }</pre>
 */
public final class DevCertificates {
  private static final SecureRandom RANDOM = new SecureRandom();

  private DevCertificates() {}

  /** A certificate and its private key. */
  public record Issued(X509Certificate certificate, PrivateKey key, KeyType keyType) {
    /** The certificate as PEM. */
    public String certificatePem() {
      return pem(certificate);
    }

    /** The private key as PKCS#8 PEM (unencrypted). */
    public String keyPem() {
      return pem(key);
    }
  }

  /**
   * What a leaf certificate says.
   *
   * @param commonName subject CN
   * @param spiffeId the one URI SAN, or null for none
   * @param hosts DNS names and IP addresses (SANs)
   * @param serverAuth usable by a TLS server
   * @param clientAuth usable by a TLS client
   * @param keyType the key to create
   * @param notBefore start of validity
   * @param validity how long it is valid (may end in the past, for tests of expired certificates)
   */
  public record LeafSpec(
      String commonName,
      SpiffeId spiffeId,
      List<String> hosts,
      boolean serverAuth,
      boolean clientAuth,
      KeyType keyType,
      Instant notBefore,
      Duration validity) {
    public LeafSpec {
      hosts = List.copyOf(hosts);
    }

    /** A server certificate for {@code hosts}, valid for a year from an hour ago. */
    public static LeafSpec server(String cn, SpiffeId id, List<String> hosts) {
      return new LeafSpec(
          cn,
          id,
          hosts,
          true,
          false,
          KeyType.EC_P256,
          Instant.now().minusSeconds(3600),
          Duration.ofDays(365));
    }

    /** A client certificate, valid for a year from an hour ago. */
    public static LeafSpec client(String cn, SpiffeId id) {
      return new LeafSpec(
          cn,
          id,
          List.of(),
          false,
          true,
          KeyType.EC_P256,
          Instant.now().minusSeconds(3600),
          Duration.ofDays(365));
    }

    public LeafSpec withKeyType(KeyType type) {
      return new LeafSpec(
          commonName, spiffeId, hosts, serverAuth, clientAuth, type, notBefore, validity);
    }

    public LeafSpec withValidity(Instant from, Duration length) {
      return new LeafSpec(
          commonName, spiffeId, hosts, serverAuth, clientAuth, keyType, from, length);
    }
  }

  /** A self-signed CA. */
  public static Issued ca(String commonName, KeyType type, Instant notBefore, Duration validity) {
    try {
      KeyPair kp = type.generate(RANDOM);
      X500Name name = new X500Name("CN=" + escape(commonName));
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              name,
              serial(),
              Date.from(notBefore),
              Date.from(notBefore.plus(validity)),
              name,
              kp.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
      return new Issued(sign(b, kp.getPrivate(), type), kp.getPrivate(), type);
    } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create CA certificate: " + e.getMessage(), e);
    }
  }

  /** A leaf certificate signed by {@code ca}. */
  public static Issued leaf(Issued ca, LeafSpec spec) {
    try {
      KeyPair kp = spec.keyType().generate(RANDOM);
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              ca.certificate(),
              serial(),
              Date.from(spec.notBefore()),
              Date.from(spec.notBefore().plus(spec.validity())),
              new X500Name("CN=" + escape(spec.commonName())),
              kp.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      int usage =
          spec.keyType() == KeyType.RSA_2048
              ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment
              : KeyUsage.digitalSignature;
      b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
      List<KeyPurposeId> purposes = new ArrayList<>();
      if (spec.serverAuth()) {
        purposes.add(KeyPurposeId.id_kp_serverAuth);
      }
      if (spec.clientAuth()) {
        purposes.add(KeyPurposeId.id_kp_clientAuth);
      }
      b.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(purposes.toArray(new KeyPurposeId[0])));
      List<GeneralName> names = new ArrayList<>();
      if (spec.spiffeId() != null) {
        names.add(
            new GeneralName(GeneralName.uniformResourceIdentifier, spec.spiffeId().toString()));
      }
      for (String host : spec.hosts()) {
        names.add(
            new GeneralName(isIpAddress(host) ? GeneralName.iPAddress : GeneralName.dNSName, host));
      }
      if (!names.isEmpty()) {
        b.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(names.toArray(new GeneralName[0])));
      }
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          ext.createAuthorityKeyIdentifier(ca.certificate()));
      return new Issued(sign(b, ca.key(), ca.keyType()), kp.getPrivate(), spec.keyType());
    } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create certificate: " + e.getMessage(), e);
    }
  }

  /** Writes {@code <name>.pem} and {@code <name>-key.pem} into {@code dir}, each atomically. */
  public static void write(Path dir, String name, Issued issued) {
    AtomicFiles.writeString(dir.resolve(name + ".pem"), issued.certificatePem());
    AtomicFiles.writeString(dir.resolve(name + "-key.pem"), issued.keyPem());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key, KeyType type)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder(type.signatureAlgorithm()).build(key)));
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static boolean isIpAddress(String host) {
    return host.matches("^[0-9.]+$") || host.contains(":");
  }

  private static String escape(String cn) {
    return cn.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=").replace("+", "\\+");
  }

  private static String pem(Object o) {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      if (o instanceof PrivateKey k) {
        w.writeObject(new JcaPKCS8Generator(k, null));
      } else {
        w.writeObject(o);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sw.toString();
  }
}
