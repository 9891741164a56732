package dev.kumaforge.bench.ratelimit;

import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.ratelimit.LocalRateLimiter;
import dev.kumaforge.gateway.ratelimit.TokenBucket;
import java.util.concurrent.TimeUnit;
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
 * The local rate limiter under contention: two threads ({@code @Threads(2)}, one per core here) hit
 * the same synchronized {@link TokenBucket} and the same route-keyed {@link LocalRateLimiter}, and
 * share the per-client-IP limiter's Caffeine cache. Scores are per operation per thread; compare
 * with {@link RateLimiterBench}.
 *
 * <p>How to run (from /work/main):
 *
 * <pre>{@code
 * ./mvnw -B -q -pl microbenchmarks package -DskipTests
 * java -jar microbenchmarks/target/benchmarks.jar RateLimiterContendedBench
 * java -jar microbenchmarks/target/benchmarks.jar RateLimiterContendedBench -rf json -rff rl2.json
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
@Threads(2)
public class RateLimiterContendedBench {
  final NanoClock clock = NanoClock.system();
  RateLimiterBench.Limiters limiters;

  /** Builds the shared buckets and limiters once per trial. */
  @Setup
  public void setUp() {
    limiters = new RateLimiterBench.Limiters(clock);
  }

  /** Each thread's position in the client IP rotation. */
  @State(Scope.Thread)
  public static class Client {
    int next;
  }

  /** Both threads take tokens from one bucket that always has one. */
  @Benchmark
  public long bucketAllowed() {
    return limiters.open.tryAcquire(clock.nanoTime());
  }

  /** Both threads check one route bucket; always allowed. */
  @Benchmark
  public Object routeAllowed() {
    return limiters.routeOpen.check(limiters.request, "10.0.0.1");
  }

  /** Both threads check per-client-IP buckets, rotating over the same 1,024 clients. */
  @Benchmark
  public Object perClientIp(Client client) {
    int i = client.next++ & (RateLimiterBench.CLIENTS - 1);
    return limiters.perClient.check(limiters.request, limiters.clientIps[i]);
  }
}
