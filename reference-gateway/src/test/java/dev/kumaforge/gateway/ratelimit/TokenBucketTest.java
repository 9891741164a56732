package dev.kumaforge.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.common.time.ManualClock;
import dev.kumaforge.gateway.config.Route;
import java.time.Duration;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

  @Test
  void burstThenRefillAtTheRate() {
    ManualClock clock = new ManualClock();
    TokenBucket b = new TokenBucket(3, 10, Duration.ofSeconds(1).toNanos(), clock.nanoTime());
    assertThat(b.tryAcquire(clock.nanoTime())).isZero();
    assertThat(b.tryAcquire(clock.nanoTime())).isZero();
    assertThat(b.tryAcquire(clock.nanoTime())).isZero();
    long wait = b.tryAcquire(clock.nanoTime());
    assertThat(wait).isEqualTo(Duration.ofMillis(100).toNanos());
    clock.advance(Duration.ofMillis(99));
    assertThat(b.tryAcquire(clock.nanoTime())).isPositive();
    clock.advance(Duration.ofMillis(1));
    assertThat(b.tryAcquire(clock.nanoTime())).isZero();
    clock.advance(Duration.ofHours(1));
    assertThat(b.remaining(clock.nanoTime())).isEqualTo(3);
  }

  @Test
  void limiterKeysByHeaderAndReportsHeaders() {
    ManualClock clock = new ManualClock();
    LocalRateLimiter limiter =
        new LocalRateLimiter(
            new Route.MeshRateLimit(
                1, Duration.ofSeconds(10), null, Route.RateLimitKey.Header, "x-key"),
            clock);
    HttpRequest a = HttpRequest.create("/").addHeader(RawHeader.create("x-key", "a"));
    HttpRequest b = HttpRequest.create("/").addHeader(RawHeader.create("x-key", "b"));
    assertThat(limiter.check(a, null)).isNull();
    assertThat(limiter.check(b, null)).isNull();
    LocalRateLimiter.Refusal refusal = limiter.check(a, null);
    assertThat(refusal).isNotNull();
    assertThat(refusal.retryAfterSeconds()).isEqualTo(10);
    assertThat(refusal.headers())
        .extracting(h -> h.name() + "=" + h.value())
        .containsExactly("RateLimit-Limit=1", "RateLimit-Remaining=0", "RateLimit-Reset=10");
    clock.advance(Duration.ofSeconds(10));
    assertThat(limiter.check(a, null)).isNull();
  }
}
