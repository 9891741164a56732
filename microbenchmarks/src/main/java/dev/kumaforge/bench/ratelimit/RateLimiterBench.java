package dev.kumaforge.bench.ratelimit;

import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.config.Route;
import dev.kumaforge.gateway.ratelimit.LocalRateLimiter;
import dev.kumaforge.gateway.ratelimit.TokenBucket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The local rate limiter, single-threaded (uncontended): {@link TokenBucket#tryAcquire} when a
 * token is there and when the bucket is empty, and {@link LocalRateLimiter#check} for one route
 * bucket (allowed and refused, the refusal building its RateLimit-* headers) and for per-client-IP
 * buckets (a Caffeine lookup over 1,024 clients). Time comes from the system clock, as in the
 * gateway. {@link RateLimiterContendedBench} runs the shared-bucket paths on two threads.
 *
 * <p>How to run (from /work/main):
 *
 * <pre>{@code
 * ./mvnw -B -q -pl microbenchmarks package -DskipTests
 * java -jar microbenchmarks/target/benchmarks.jar 'RateLimiterBench'
 * java -jar microbenchmarks/target/benchmarks.jar 'RateLimiter.*Bench' -rf json -rff ratelimit.json
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(1)
public class RateLimiterBench {
  /** Number of distinct client IPs for the keyed limiter. */
  static final int CLIENTS = 1_024;

  final NanoClock clock = NanoClock.system();
  Limiters limiters;
  int next;

  /** Builds the buckets and limiters once per trial. */
  @Setup
  public void setUp() {
    limiters = new Limiters(clock);
  }

  /** A token is always there: refill plus take. */
  @Benchmark
  public long bucketAllowed() {
    return limiters.open.tryAcquire(clock.nanoTime());
  }

  /** The bucket is empty: refill plus computing the wait. */
  @Benchmark
  public long bucketRefused() {
    return limiters.empty.tryAcquire(clock.nanoTime());
  }

  /** One bucket for the route, request allowed (no allocation). */
  @Benchmark
  public Object routeAllowed() {
    return limiters.routeOpen.check(limiters.request, "10.0.0.1");
  }

  /** One bucket for the route, request refused (the 429's headers are built). */
  @Benchmark
  public Object routeRefused() {
    return limiters.routeEmpty.check(limiters.request, "10.0.0.1");
  }

  /** One bucket per client IP, rotating over {@value #CLIENTS} clients. */
  @Benchmark
  public Object perClientIp() {
    int i = next++ & (CLIENTS - 1);
    return limiters.perClient.check(limiters.request, limiters.clientIps[i]);
  }

  /** The limiters under test, shared by the uncontended and contended benchmarks. */
  static final class Limiters {
    final TokenBucket open;
    final TokenBucket empty;
    final LocalRateLimiter routeOpen;
    final LocalRateLimiter routeEmpty;
    final LocalRateLimiter perClient;
    final HttpRequest request = HttpRequest.create("/v1/chat/completions");
    final String[] clientIps = new String[CLIENTS];

    Limiters(NanoClock clock) {
      long now = clock.nanoTime();
      // Refilled far faster than any thread can take: always allowed.
      open = new TokenBucket(1_000_000, 1_000_000_000, 1_000_000L, now);
      // One token per hour, taken at once: always refused.
      empty = new TokenBucket(1, 1, Duration.ofHours(1).toNanos(), now);
      empty.tryAcquire(now);
      routeOpen = new LocalRateLimiter(limit(1_000_000_000, Route.RateLimitKey.Route), clock);
      routeEmpty = new LocalRateLimiter(hourly(), clock);
      routeEmpty.check(request, "10.0.0.1");
      perClient = new LocalRateLimiter(limit(1_000_000_000, Route.RateLimitKey.ClientIp), clock);
      for (int i = 0; i < CLIENTS; i++) {
        clientIps[i] = "10.1." + (i >> 8) + "." + (i & 255);
        perClient.check(request, clientIps[i]);
      }
    }

    private static Route.MeshRateLimit limit(int perMilli, Route.RateLimitKey key) {
      return new Route.MeshRateLimit(perMilli, Duration.ofMillis(1), null, key, null);
    }

    private static Route.MeshRateLimit hourly() {
      return new Route.MeshRateLimit(1, Duration.ofHours(1), 1, Route.RateLimitKey.Route, null);
    }
  }
}
