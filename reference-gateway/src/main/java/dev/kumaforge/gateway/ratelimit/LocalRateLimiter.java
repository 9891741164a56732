package dev.kumaforge.gateway.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.config.Route;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * MeshRateLimit (local): decides whether a request may pass; one bucket per route, client IP or
 * header value (at most 100,000 keyed buckets, least recently used dropped).
 */
public final class LocalRateLimiter {
  private final Route.MeshRateLimit config;
  private final NanoClock clock;
  private final TokenBucket routeBucket;
  private final Cache<String, TokenBucket> keyed;
  private final KeySource keySource;
  private final String limitValue;

  public LocalRateLimiter(Route.MeshRateLimit config, NanoClock clock) {
    this.config = config;
    this.clock = clock;
    this.routeBucket =
        config.key() == Route.RateLimitKey.Route ? newBucket(clock.nanoTime()) : null;
    this.keyed =
        config.key() == Route.RateLimitKey.Route
            ? null
            : Caffeine.newBuilder().maximumSize(100_000).build();
    this.keySource = KeySource.of(config);
    this.limitValue = Integer.toString(config.burst());
  }

  private TokenBucket newBucket(long now) {
    return new TokenBucket(config.burst(), config.num(), config.interval().toNanos(), now);
  }

  /**
   * The decision for {@code request} from client {@code clientIp}.
   *
   * @return null when allowed, otherwise the refusal with its headers
   */
  public Refusal check(HttpRequest request, String clientIp) {
    long now = clock.nanoTime();
    TokenBucket bucket = bucket(request, clientIp, now);
    long wait = bucket.tryAcquire(now);
    if (wait == 0) {
      return null;
    }
    long retryAfter = Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
    long reset = Math.max(1, (bucket.nanosUntilFull(now) + 999_999_999L) / 1_000_000_000L);
    List<HttpHeader> headers =
        List.of(
            RawHeader.create("RateLimit-Limit", limitValue),
            RawHeader.create("RateLimit-Remaining", "0"),
            RawHeader.create("RateLimit-Reset", Long.toString(reset)));
    return new Refusal(retryAfter, headers);
  }

  private TokenBucket bucket(HttpRequest request, String clientIp, long now) {
    if (routeBucket != null) {
      return routeBucket;
    }
    return keyed.get(keySource.key(request, clientIp), k -> newBucket(now));
  }

  /**
   * A refused request.
   *
   * @param retryAfterSeconds value of Retry-After
   * @param headers RateLimit-* headers
   * @param unavailable true: no decision could be made (a shared limit failing closed, 503), false:
   *     over the limit (429)
   */
  public record Refusal(long retryAfterSeconds, List<HttpHeader> headers, boolean unavailable) {
    /** Over the limit (429). */
    public Refusal(long retryAfterSeconds, List<HttpHeader> headers) {
      this(retryAfterSeconds, headers, false);
    }
  }
}
