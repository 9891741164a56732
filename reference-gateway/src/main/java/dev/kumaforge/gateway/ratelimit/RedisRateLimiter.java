package dev.kumaforge.gateway.ratelimit;

import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.config.Route;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MeshRateLimit shared by gateway replicas: the token bucket of a route's {@code rateLimit} as a
 * GCRA in Redis under {@code <keyPrefix>rl:<route>:<key>}, one atomic script call per request,
 * never blocking. A call that fails or exceeds {@code shared.timeout} is decided by the failure
 * mode: Open asks a local token bucket (the local cap), Closed refuses with 503.
 *
 * <pre>{@code
 * RedisRateLimiter rl = new RedisRateLimiter("api", limit, connections.link("main"), metrics, clock);
 * rl.check(request, clientIp).thenAccept(refusal -> ...); // null: allowed
 * }</pre>
 */
public final class RedisRateLimiter {
  private static final int MAX_KEY_CHARS = 128;
  private static final Logger LOG = LoggerFactory.getLogger(RedisRateLimiter.class);
  private static final long LOG_EVERY_NANOS = 10_000_000_000L;

  private final String route;
  private final Route.SharedLimit shared;
  private final RedisConnections.Link link;
  private final RateLimitMetrics metrics;
  private final NanoClock clock;
  private final KeySource keySource;
  private final LocalRateLimiter localCap;
  private final String keyPrefix;
  private final long emissionMicros;
  private final long capacity;
  private final long timeoutNanos;
  private final String limitValue;
  private final AtomicLong lastLogged = new AtomicLong(Long.MIN_VALUE);

  /** A limiter for route {@code route} with {@code limit} (its {@code shared} set). */
  public RedisRateLimiter(
      String route,
      Route.MeshRateLimit limit,
      RedisConnections.Link link,
      RateLimitMetrics metrics,
      NanoClock clock) {
    this.route = route;
    this.shared = limit.shared();
    this.link = link;
    this.metrics = metrics;
    this.clock = clock;
    this.keySource = KeySource.of(limit);
    this.localCap =
        shared.failureMode() == Route.FailureMode.Open
            ? new LocalRateLimiter(limit.localCapLimit(), clock)
            : null;
    this.keyPrefix = link.keyPrefix() + "rl:" + route + ":";
    this.emissionMicros = Math.max(1, limit.interval().toNanos() / 1000 / limit.num());
    this.capacity = limit.burst();
    this.timeoutNanos = shared.timeout().toNanos();
    this.limitValue = Integer.toString(limit.burst());
  }

  /** The Redis key of {@code request}'s bucket. */
  public String redisKey(HttpRequest request, String clientIp) {
    String key = keySource.key(request, clientIp);
    return keyPrefix + (key.length() > MAX_KEY_CHARS ? "sha256:" + sha256(key) : key);
  }

  /**
   * The decision for {@code request}: completes with null when allowed, otherwise the refusal;
   * completes within the configured timeout (plus scheduling), on a Lettuce or timer thread.
   */
  public CompletionStage<LocalRateLimiter.Refusal> check(HttpRequest request, String clientIp) {
    long start = clock.nanoTime();
    String key = redisKey(request, clientIp);
    return link.connection()
        .thenCompose(c -> Gcra.take(c.async(), key, emissionMicros, capacity, 1, false))
        .toCompletableFuture()
        .orTimeout(timeoutNanos, TimeUnit.NANOSECONDS)
        .handle(
            (r, err) -> {
              if (err != null) {
                return fail(request, clientIp, err, start);
              }
              if (r.allowed()) {
                metrics.decision(route, "allowed", clock.nanoTime() - start);
                return null;
              }
              metrics.decision(route, "refused", clock.nanoTime() - start);
              return refusal(r);
            });
  }

  private LocalRateLimiter.Refusal refusal(Gcra.Result r) {
    long retryAfter = Math.max(1, (r.retryAfterMicros() + 999_999) / 1_000_000);
    long reset = Math.max(1, (r.resetMicros() + 999_999) / 1_000_000);
    List<HttpHeader> headers =
        List.of(
            RawHeader.create("RateLimit-Limit", limitValue),
            RawHeader.create("RateLimit-Remaining", Long.toString(r.remaining())),
            RawHeader.create("RateLimit-Reset", Long.toString(reset)));
    return new LocalRateLimiter.Refusal(retryAfter, headers);
  }

  private LocalRateLimiter.Refusal fail(
      HttpRequest request, String clientIp, Throwable err, long start) {
    Throwable cause =
        err instanceof java.util.concurrent.CompletionException ? err.getCause() : err;
    boolean timeout = cause instanceof TimeoutException;
    metrics.redisError(link.name(), timeout);
    long now = clock.nanoTime();
    long last = lastLogged.get();
    if ((last == Long.MIN_VALUE || now - last >= LOG_EVERY_NANOS)
        && lastLogged.compareAndSet(last, now)) {
      LOG.warn(
          "route {}: shared rate limit through Redis '{}' failed ({}), failing {} (logged at most"
              + " every 10 s)",
          route,
          link.name(),
          timeout ? "no answer within " + shared.timeout().toMillis() + " ms" : cause.toString(),
          shared.failureMode() == Route.FailureMode.Open ? "open to the local cap" : "closed");
    }
    if (localCap == null) {
      metrics.decision(route, "unavailable", clock.nanoTime() - start);
      return new LocalRateLimiter.Refusal(1, List.of(), true);
    }
    LocalRateLimiter.Refusal r = localCap.check(request, clientIp);
    metrics.decision(
        route, r == null ? "fallback_allowed" : "fallback_refused", clock.nanoTime() - start);
    return r;
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
