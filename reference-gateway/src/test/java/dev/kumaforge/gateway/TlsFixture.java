package dev.kumaforge.gateway;

import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.common.tls.DevCertificates;
import dev.kumaforge.common.tls.DevCertificates.Issued;
import dev.kumaforge.common.tls.DevCertificates.LeafSpec;
import dev.kumaforge.common.tls.KeyType;
import dev.kumaforge.common.tls.SpiffeId;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates made by {@link DevCertificates} in a folder, and TLS clients that use them. */
final class TlsFixture {
  static final String TRUST_DOMAIN = "spiffe://forge.local";

  final Path dir;
  final Issued ca;

  TlsFixture(Path dir) {
    this.dir = dir;
    this.ca = ca("forge test CA");
    DevCertificates.write(dir, "server", server(ca));
    AtomicFiles.writeString(dir.resolve("ca.pem"), ca.certificatePem());
  }

  static Issued ca(String name) {
    return DevCertificates.ca(
        name, KeyType.EC_P256, Instant.now().minusSeconds(3600), Duration.ofDays(30));
  }

  static Issued server(Issued ca) {
    return DevCertificates.leaf(
        ca,
        LeafSpec.server(
            "gateway",
            SpiffeId.parse(TRUST_DOMAIN + "/gateway"),
            List.of("localhost", "127.0.0.1")));
  }

  static Issued client(Issued ca, String spiffePath) {
    return DevCertificates.leaf(
        ca, LeafSpec.client("client", SpiffeId.parse(TRUST_DOMAIN + spiffePath)));
  }

  /**
   * The client certificates an mTLS listener trusting {@code ca} must refuse: none (null), expired,
   * from a foreign CA, two SPIFFE URI SANs, an https URI SAN, no URI SAN.
   */
  static Issued[] unusableClients(Issued ca) throws Exception {
    Issued expired =
        DevCertificates.leaf(
            ca,
            LeafSpec.client("old", SpiffeId.parse(TRUST_DOMAIN + "/ns/team-a/old"))
                .withValidity(Instant.now().minus(Duration.ofDays(10)), Duration.ofDays(1)));
    Issued foreign = client(ca("foreign CA"), "/ns/team-a/client");
    Issued twoUris =
        clientWithUris(ca, TRUST_DOMAIN + "/ns/team-a/a", TRUST_DOMAIN + "/ns/team-a/b");
    Issued httpsUri = clientWithUris(ca, "https://forge.local/ns/team-a/a");
    Issued noUri = clientWithUris(ca);
    return new Issued[] {null, expired, foreign, twoUris, httpsUri, noUri};
  }

  /** A client certificate with the given URI SANs (none, two, a non-SPIFFE one). */
  static Issued clientWithUris(Issued ca, String... uris) throws Exception {
    KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
    kpg.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair kp = kpg.generateKeyPair();
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            ca.certificate(),
            BigInteger.valueOf(now.toEpochMilli()),
            Date.from(now.minusSeconds(3600)),
            Date.from(now.plusSeconds(86_400)),
            new X500Name("CN=odd client"),
            kp.getPublic());
    b.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    if (uris.length > 0) {
      GeneralName[] names = new GeneralName[uris.length];
      for (int i = 0; i < uris.length; i++) {
        names[i] = new GeneralName(GeneralName.uniformResourceIdentifier, uris[i]);
      }
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    }
    X509Certificate cert =
        new JcaX509CertificateConverter()
            .getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.key())));
    return new Issued(cert, kp.getPrivate(), KeyType.EC_P256);
  }

  /** A client context presenting {@code identity} (null: no certificate), trusting {@code ca}. */
  static SSLContext context(Issued identity, Issued trusted) throws Exception {
    char[] pw = "x".toCharArray();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    if (identity != null) {
      ks.setKeyEntry("id", identity.key(), pw, new X509Certificate[] {identity.certificate()});
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("ca", trusted.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(ts);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  static HttpClient http(SSLContext ctx) {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .sslContext(ctx)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** An HTTP/1.1 response read off a raw connection. */
  record Response(int status, String headers, String body) {}

  /** Opens a TLS connection to {@code url} (https://host:port) and completes the handshake. */
  static SSLSocket connect(SSLContext ctx, String url) throws IOException {
    URI u = URI.create(url);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
    s.connect(new InetSocketAddress(u.getHost(), u.getPort()), 5_000);
    s.setSoTimeout(10_000);
    s.startHandshake();
    return s;
  }

  /** Sends one GET on an open connection (kept alive) and reads the response. */
  static Response get(java.net.Socket s, String path, String... headerLines) throws IOException {
    StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n");
    for (String h : headerLines) {
      req.append(h).append("\r\n");
    }
    req.append("\r\n");
    OutputStream out = s.getOutputStream();
    out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return read(s.getInputStream());
  }

  /** Status code of one request on a new TLS connection, or -1 when the connection fails. */
  static int statusOnNewConnection(SSLContext ctx, String url, String path) {
    try (SSLSocket s = connect(ctx, url)) {
      return get(s, path).status();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Reads one response with a Content-Length body. */
  static Response read(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before the response headers ended");
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String headers = head.toString(StandardCharsets.US_ASCII);
    int status = Integer.parseInt(headers.substring(9, 12));
    int length = 0;
    for (String line : headers.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  /** Sends a ClientHello with {@code version} and {@code suites}; "ServerHello" or "alert". */
  static String serverAnswer(String url, int version, int... suites) throws IOException {
    URI u = URI.create(url);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(u.getHost(), u.getPort()), 5_000);
      s.setSoTimeout(5_000);
      s.getOutputStream().write(clientHello(version, suites));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      int type = in.read();
      if (type == 0x16) {
        in.readNBytes(4); // version, length
        return in.read() == 0x02 ? "ServerHello" : "handshake";
      }
      return type == 0x15 || type < 0 ? "alert" : "unexpected record type " + type;
    }
  }

  private static byte[] clientHello(int version, int... suites) throws IOException {
    ByteArrayOutputStream ext = new ByteArrayOutputStream();
    DataOutputStream e = new DataOutputStream(ext);
    e.writeShort(0x000a); // supported_groups: secp256r1, x25519
    e.writeShort(6);
    e.writeShort(4);
    e.writeShort(0x0017);
    e.writeShort(0x001d);
    e.writeShort(0x000b); // ec_point_formats: uncompressed
    e.writeShort(2);
    e.writeByte(1);
    e.writeByte(0);
    e.writeShort(0x000d); // signature_algorithms
    int[] sigs = {0x0403, 0x0804, 0x0401, 0x0203, 0x0201};
    e.writeShort(2 + 2 * sigs.length);
    e.writeShort(2 * sigs.length);
    for (int sig : sigs) {
      e.writeShort(sig);
    }
    e.writeShort(0xff01); // renegotiation_info, empty
    e.writeShort(1);
    e.writeByte(0);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    DataOutputStream b = new DataOutputStream(body);
    b.writeShort(version);
    b.write(new byte[32]); // random
    b.writeByte(0); // session id
    b.writeShort(2 * suites.length);
    for (int suite : suites) {
      b.writeShort(suite);
    }
    b.writeByte(1); // compression methods: null
    b.writeByte(0);
    b.writeShort(ext.size());
    b.write(ext.toByteArray());
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    DataOutputStream r = new DataOutputStream(record);
    r.writeByte(0x16);
    r.writeShort(0x0301);
    r.writeShort(body.size() + 4);
    r.writeByte(0x01); // client_hello
    r.writeByte(0);
    r.writeShort(body.size());
    r.write(body.toByteArray());
    return record.toByteArray();
  }
}
