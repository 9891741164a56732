package dev.kumaforge.gateway.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A TLS listener's server side: one {@link SSLEngine} per connection from the current context,
 * which {@link #reloadIfChanged()} rebuilds when the certificate, key or CA bundle files change.
 * New handshakes use the new files; established connections keep their session.
 *
 * <p>The context is the JDK's {@link SSLContext} or, with {@code provider: openssl} (and {@code
 * auto} where netty-tcnative loads), a Netty {@link SslContext} on BoringSSL whose engines Pekko
 * drives like any other {@link SSLEngine}. Both get the same protocols, suites (server order), key,
 * chain and, for mTLS, the same {@link SpiffeTrustManager}. The OpenSSL engines are Netty's
 * non-reference-counted ones ({@link SslProvider#OPENSSL}): their native state is freed when the
 * engine is closed, and by its finalizer otherwise, so nothing has to release them.
 *
 * <pre>{@code
 * ServerTls tls = ServerTls.load(config);          // throws when the files are unusable
 * SSLEngine engine = tls.newEngine();              // per accepted connection
 * scheduler.every(config.reloadInterval(), tls::reloadIfChanged);
 * }</pre>
 */
public final class ServerTls {
  private static final char[] NO_PASSWORD = "forge".toCharArray();

  private final TlsConfig config;
  private final String[] protocols;
  private final String[] cipherSuites;
  private final TlsConfig.Provider provider;
  private volatile Engines context;
  private volatile List<Long> stamps;

  /** Makes the engines of one generation of files. */
  private interface Engines {
    SSLEngine newEngine();
  }

  private ServerTls(TlsConfig config, List<Long> stamps) {
    this.config = config;
    this.protocols = config.protocols().toArray(String[]::new);
    this.cipherSuites = config.cipherSuites().toArray(String[]::new);
    this.provider = config.effectiveProvider();
    this.stamps = stamps;
    this.context = build(config);
  }

  /**
   * Reads the files of {@code config} and builds the first context.
   *
   * @throws IllegalArgumentException naming the file that cannot be used
   */
  public static ServerTls load(TlsConfig config) {
    if (config.provider() == TlsConfig.Provider.openssl && !OpenSsl.isAvailable()) {
      throw new IllegalArgumentException(
          "provider openssl: OpenSSL (netty-tcnative) cannot be loaded: "
              + OpenSsl.unavailabilityCause());
    }
    if (config.provider() == TlsConfig.Provider.openssl && config.openSslMismatch() != null) {
      throw new IllegalArgumentException("provider openssl: " + config.openSslMismatch());
    }
    List<Long> stamps = stamps(config);
    return new ServerTls(config, stamps);
  }

  /** The provider in use: {@code openssl} or {@code jdk} ({@code auto} resolved). */
  public TlsConfig.Provider provider() {
    return provider;
  }

  /** The settings this listener was started with. */
  public TlsConfig config() {
    return config;
  }

  /** A server engine for one connection, with the configured protocols, suites and client auth. */
  public SSLEngine newEngine() {
    return context.newEngine();
  }

  private SSLEngine jdkEngine(SSLContext ctx) {
    SSLEngine engine = ctx.createSSLEngine();
    engine.setUseClientMode(false);
    SSLParameters p = engine.getSSLParameters();
    p.setProtocols(protocols);
    p.setCipherSuites(cipherSuites);
    p.setUseCipherSuitesOrder(true);
    if (config.mutual()) {
      p.setNeedClientAuth(true);
    }
    engine.setSSLParameters(p);
    return engine;
  }

  /**
   * Rebuilds the context when any file's size or modification time changed since the last load.
   *
   * @return true when a new context is now in use
   * @throws IllegalArgumentException when the changed files cannot be used (the old context stays)
   */
  public synchronized boolean reloadIfChanged() {
    List<Long> now = stamps(config);
    if (now.equals(stamps)) {
      return false;
    }
    stamps = now;
    context = build(config);
    return true;
  }

  private static List<Long> stamps(TlsConfig config) {
    List<String> files = new ArrayList<>();
    files.add(config.certificate());
    files.add(config.privateKey());
    files.addAll(config.clientCaBundles());
    List<Long> out = new ArrayList<>();
    for (String f : files) {
      Path p = Path.of(f);
      try {
        out.add(Files.getLastModifiedTime(p).toMillis());
        out.add(Files.size(p));
      } catch (IOException e) {
        out.add(-1L);
        out.add(-1L);
      }
    }
    return out;
  }

  private Engines build(TlsConfig config) {
    List<X509Certificate> chain = Pem.certificates(Path.of(config.certificate()));
    PrivateKey key = Pem.privateKey(Path.of(config.privateKey()));
    if (!chain.get(0).getNotAfter().after(new java.util.Date())) {
      throw new IllegalArgumentException(
          config.certificate() + ": expired at " + chain.get(0).getNotAfter().toInstant());
    }
    if (!TlsConfig.matches(key, chain.get(0))) {
      throw new IllegalArgumentException(
          config.privateKey() + ": not the key of the certificate in " + config.certificate());
    }
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("server", key, NO_PASSWORD, chain.toArray(X509Certificate[]::new));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, NO_PASSWORD);
      SpiffeTrustManager spiffe =
          config.mutual() ? new SpiffeTrustManager(pkix(config.clientCaBundles())) : null;
      if (provider == TlsConfig.Provider.openssl) {
        return openssl(kmf, spiffe);
      }
      TrustManager[] trust = spiffe == null ? null : new TrustManager[] {spiffe};
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), trust, null);
      return () -> jdkEngine(ctx);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot build the TLS context: " + e.getMessage(), e);
    }
  }

  private Engines openssl(KeyManagerFactory kmf, SpiffeTrustManager spiffe) throws SSLException {
    // Caching: Netty hands BoringSSL the key and chain once instead of encoding them again from
    // the KeyManager on every handshake (the factory's material never changes: a reload makes a
    // new context).
    SslContextBuilder b =
        SslContextBuilder.forServer(new OpenSslCachingX509KeyManagerFactory(kmf))
            .sslProvider(SslProvider.OPENSSL)
            .protocols(protocols)
            .ciphers(Arrays.asList(cipherSuites), IdentityCipherSuiteFilter.INSTANCE)
            .clientAuth(spiffe == null ? ClientAuth.NONE : ClientAuth.REQUIRE);
    if (spiffe != null) {
      b.trustManager(spiffe);
    }
    SslContext ctx = b.build();
    checkEnabled(ctx.newEngine(ByteBufAllocator.DEFAULT));
    return () -> {
      SSLEngine engine = ctx.newEngine(ByteBufAllocator.DEFAULT);
      SSLParameters p = engine.getSSLParameters();
      p.setUseCipherSuitesOrder(true);
      p.setNeedClientAuth(spiffe != null);
      engine.setSSLParameters(p);
      return engine;
    };
  }

  /** Fails unless BoringSSL enabled only configured protocols and suites (it has defaults). */
  private void checkEnabled(SSLEngine probe) throws SSLException {
    Set<String> suites = new HashSet<>(Arrays.asList(cipherSuites));
    Set<String> versions = new HashSet<>(Arrays.asList(protocols));
    for (String s : probe.getEnabledCipherSuites()) {
      if (!suites.contains(s)) {
        throw new IllegalArgumentException("OpenSSL would enable the unlisted suite " + s);
      }
    }
    for (String p : probe.getEnabledProtocols()) {
      if (p.startsWith("TLS") && !versions.contains(p)) {
        throw new IllegalArgumentException("OpenSSL would enable the unlisted protocol " + p);
      }
    }
    probe.closeOutbound();
    probe.closeInbound();
  }

  private static X509ExtendedTrustManager pkix(List<String> bundles)
      throws GeneralSecurityException, IOException {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    int n = 0;
    for (String bundle : bundles) {
      for (X509Certificate ca : Pem.certificates(Path.of(bundle))) {
        trusted.setCertificateEntry("ca-" + n++, ca);
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trusted);
    return Arrays.stream(tmf.getTrustManagers())
        .filter(X509ExtendedTrustManager.class::isInstance)
        .map(X509ExtendedTrustManager.class::cast)
        .findFirst()
        .orElseThrow(() -> new GeneralSecurityException("no X509 trust manager"));
  }
}
