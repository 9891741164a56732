package dev.kumaforge.gateway.auth;

import com.nimbusds.jose.jwk.JWKSet;
import dev.kumaforge.common.time.NanoClock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A provider's JSON Web Key Set, from a file or an http(s) URL, cached for {@code cacheTtl}. An
 * unknown {@code kid} triggers a refetch at most every {@code refreshMinInterval}; concurrent
 * requests share one fetch. Fails closed: once the cache has expired and a fetch fails, there are
 * no keys (every token is refused) until a fetch succeeds.
 */
public final class JwksSource {
  private static final Logger LOG = LoggerFactory.getLogger(JwksSource.class);
  private static final long MAX_JWKS_BYTES = 1 << 20;

  /** Fetches run here (never on the common pool); daemon threads that end when idle. */
  private static final ExecutorService FETCH =
      Executors.newCachedThreadPool(
          new java.util.concurrent.ThreadFactory() {
            private final AtomicInteger n = new AtomicInteger();

            @Override
            public Thread newThread(Runnable r) {
              Thread t = new Thread(r, "forge-jwks-fetch-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            }
          });

  private static final class Client {
    static final HttpClient HTTP =
        HttpClient.newBuilder()
            .executor(FETCH)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  private record Cached(JWKSet keys, long fetchedAt) {}

  private final AuthenticationConfig.Jwks config;
  private final NanoClock clock;
  private final String where;
  private volatile Cached cached;
  private volatile long lastAttempt;
  private volatile boolean attempted;
  private CompletableFuture<JWKSet> inFlight;

  /** A source for {@code config}; {@code where} names it in logs (the file or URL). */
  public JwksSource(AuthenticationConfig.Jwks config, NanoClock clock) {
    this.config = config;
    this.clock = clock;
    this.where = config.file() != null ? config.file() : withoutQuery(config.uri());
  }

  /** The config this source was built from. */
  public AuthenticationConfig.Jwks config() {
    return config;
  }

  /**
   * The keys to verify with: the cached set while fresh, else a fetch; with {@code unknownKid}, a
   * refetch unless one was tried within {@code refreshMinInterval}. Empty when none can be loaded.
   */
  public CompletionStage<JWKSet> keys(boolean unknownKid) {
    Cached c = cached;
    long now = clock.nanoTime();
    boolean fresh = c != null && now - c.fetchedAt() < config.cacheTtl().toNanos();
    if (fresh && !unknownKid) {
      return CompletableFuture.completedFuture(c.keys());
    }
    // an unknown kid, or the last fetch failed: ask the source again only now and then
    boolean rateLimited = fresh || c == null;
    if (rateLimited && attempted && now - lastAttempt < config.refreshMinInterval().toNanos()) {
      synchronized (this) {
        if (inFlight != null) {
          return inFlight;
        }
      }
      return CompletableFuture.completedFuture(fresh ? c.keys() : empty());
    }
    return refresh();
  }

  /** Whether keys are cached (possibly expired). */
  public boolean hasKeys() {
    Cached c = cached;
    return c != null && !c.keys().getKeys().isEmpty();
  }

  /** Starts a fetch unless one is running; completes with the keys, or none when it fails. */
  public synchronized CompletableFuture<JWKSet> refresh() {
    if (inFlight != null) {
      return inFlight;
    }
    attempted = true;
    lastAttempt = clock.nanoTime();
    long started = lastAttempt;
    CompletableFuture<JWKSet> f =
        fetch()
            .thenApply(JwksSource::parse)
            .handle(
                (keys, err) -> {
                  synchronized (this) {
                    inFlight = null;
                  }
                  if (err == null) {
                    cached = new Cached(keys, started);
                    return keys;
                  }
                  Throwable cause = err.getCause() != null ? err.getCause() : err;
                  LOG.warn("cannot load JWKS from {}: {}", where, describe(cause));
                  Cached c = cached;
                  if (c != null && clock.nanoTime() - c.fetchedAt() < config.cacheTtl().toNanos()) {
                    return c.keys();
                  }
                  cached = null;
                  return empty();
                });
    synchronized (this) {
      if (!f.isDone()) {
        inFlight = f;
      }
    }
    return f;
  }

  private CompletableFuture<String> fetch() {
    if (config.file() != null) {
      return CompletableFuture.supplyAsync(
          () -> {
            try {
              Path p = Path.of(config.file());
              if (Files.size(p) > MAX_JWKS_BYTES) {
                throw new IllegalStateException("larger than 1 MiB");
              }
              return Files.readString(p, StandardCharsets.UTF_8);
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          },
          FETCH);
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(config.uri()))
            .timeout(config.timeout())
            .header("Accept", "application/json")
            .GET()
            .build();
    return Client.HTTP
        .sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .orTimeout(config.timeout().toMillis() * 2, java.util.concurrent.TimeUnit.MILLISECONDS)
        .thenApply(
            r -> {
              if (r.statusCode() != 200) {
                throw new IllegalStateException("HTTP status " + r.statusCode());
              }
              if (r.body().length > MAX_JWKS_BYTES) {
                throw new IllegalStateException("larger than 1 MiB");
              }
              return new String(r.body(), StandardCharsets.UTF_8);
            });
  }

  private static JWKSet parse(String json) {
    try {
      return JWKSet.parse(json).toPublicJWKSet();
    } catch (java.text.ParseException e) {
      throw new IllegalStateException("not a JSON Web Key Set: " + e.getMessage(), e);
    }
  }

  private static JWKSet empty() {
    return new JWKSet();
  }

  private static String describe(Throwable t) {
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  /** The URL without query and user info, which may carry credentials, for logs. */
  static String withoutQuery(String uri) {
    try {
      URI u = new URI(uri);
      return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null)
          .toString();
    } catch (java.net.URISyntaxException e) {
      return "(invalid URL)";
    }
  }
}
