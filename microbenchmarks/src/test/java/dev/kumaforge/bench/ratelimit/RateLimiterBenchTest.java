package dev.kumaforge.bench.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.gateway.ratelimit.LocalRateLimiter;
import org.junit.jupiter.api.Test;

class RateLimiterBenchTest {
  @Test
  void uncontendedBodiesDecideAsNamed() {
    RateLimiterBench bench = new RateLimiterBench();
    bench.setUp();
    for (int i = 0; i < 3; i++) {
      assertThat(bench.bucketAllowed()).isZero();
      assertThat(bench.bucketRefused()).isPositive();
      assertThat(bench.routeAllowed()).isNull();
      assertThat(bench.routeRefused())
          .isInstanceOfSatisfying(
              LocalRateLimiter.Refusal.class,
              r -> {
                assertThat(r.retryAfterSeconds()).isPositive();
                assertThat(r.headers()).hasSize(3);
              });
      assertThat(bench.perClientIp()).isNull();
    }
    assertThat(bench.next).isEqualTo(3);
  }

  @Test
  void contendedBodiesDecideAsNamed() {
    RateLimiterContendedBench bench = new RateLimiterContendedBench();
    bench.setUp();
    RateLimiterContendedBench.Client client = new RateLimiterContendedBench.Client();
    assertThat(bench.bucketAllowed()).isZero();
    assertThat(bench.routeAllowed()).isNull();
    assertThat(bench.perClientIp(client)).isNull();
    assertThat(client.next).isEqualTo(1);
  }
}
