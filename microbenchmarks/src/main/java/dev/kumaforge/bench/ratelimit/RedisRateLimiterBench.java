package dev.kumaforge.bench.ratelimit;

import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.config.RedisConnection;
import dev.kumaforge.gateway.config.Route;
import dev.kumaforge.gateway.ratelimit.LocalRateLimiter;
import dev.kumaforge.gateway.ratelimit.RateLimitMetrics;
import dev.kumaforge.gateway.ratelimit.RedisConnections;
import dev.kumaforge.gateway.ratelimit.RedisRateLimiter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decisions per second of the shared (Redis) rate limiter's client path, against a redis-server
 * this benchmark starts on a loopback port (no persistence): {@code redisOneAtATime} waits for each
 * decision (one EVALSHA round trip: the latency bound), {@code redisPipelined64} keeps 64 decisions
 * in flight on the one multiplexed connection (what a busy gateway does), {@code redisRefused} is a
 * refusal with its RateLimit-* headers. {@code localAllowed} is the local token bucket for
 * comparison. Redis and the benchmark share the machine, so on 2 cores the figures carry Redis' own
 * CPU and scheduler noise.
 *
 * <p>How to run (redis-server on PATH, from the repository root):
 *
 * <pre>{@code
 * ./mvnw -B -q -pl microbenchmarks -am package -DskipTests
 * java -jar microbenchmarks/target/benchmarks.jar RedisRateLimiterBench
 * java -jar microbenchmarks/target/benchmarks.jar RedisRateLimiterBench -f 1 -wi 2 -i 3   # brief
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(1)
public class RedisRateLimiterBench {
  private static final int IN_FLIGHT = 64;

  private Process redis;
  private RedisConnections connections;
  private RedisRateLimiter open;
  private RedisRateLimiter refusing;
  private LocalRateLimiter local;
  private final HttpRequest request = HttpRequest.create("/v1/chat/completions");

  /** Starts redis-server and connects. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    redis =
        new ProcessBuilder(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    NanoClock clock = NanoClock.system();
    connections =
        RedisConnections.create(
            Map.of("main", new RedisConnection("redis://127.0.0.1:" + port, null, null)), clock);
    RateLimitMetrics metrics = new RateLimitMetrics(new PrometheusRegistry());
    Route.SharedLimit shared =
        new Route.SharedLimit("main", Duration.ofSeconds(1), Route.FailureMode.Closed, null);
    open =
        new RedisRateLimiter(
            "open",
            new Route.MeshRateLimit(
                1_000_000_000, Duration.ofSeconds(1), null, Route.RateLimitKey.Route, null, shared),
            connections.link("main"),
            metrics,
            clock);
    refusing =
        new RedisRateLimiter(
            "refusing",
            new Route.MeshRateLimit(
                1, Duration.ofHours(1), 1, Route.RateLimitKey.Route, null, shared),
            connections.link("main"),
            metrics,
            clock);
    local =
        new LocalRateLimiter(
            new Route.MeshRateLimit(
                1_000_000_000, Duration.ofSeconds(1), null, Route.RateLimitKey.Route, null),
            clock);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      LocalRateLimiter.Refusal r = open.check(request, null).toCompletableFuture().join();
      if (r == null) {
        break;
      }
      if (System.nanoTime() > deadline || !redis.isAlive()) {
        throw new IOException("redis-server on port " + port + " does not answer");
      }
      Thread.sleep(50);
    }
    refusing.check(request, null).toCompletableFuture().join();
  }

  /** Stops the connections and redis-server. */
  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    connections.close();
    redis.destroy();
    redis.waitFor(10, TimeUnit.SECONDS);
  }

  /** One decision at a time: the client path plus one round trip to Redis. */
  @Benchmark
  public Object redisOneAtATime() {
    return open.check(request, null).toCompletableFuture().join();
  }

  /** 64 decisions in flight on the multiplexed connection. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public int redisPipelined64() {
    CompletableFuture<?>[] all = new CompletableFuture<?>[IN_FLIGHT];
    for (int i = 0; i < IN_FLIGHT; i++) {
      all[i] = open.check(request, null).toCompletableFuture();
    }
    CompletableFuture.allOf(all).join();
    return all.length;
  }

  /** A refusal: the script refuses and the 429's headers are built. */
  @Benchmark
  public Object redisRefused() {
    return refusing.check(request, null).toCompletableFuture().join();
  }

  /** The local token bucket of the same route, for comparison. */
  @Benchmark
  public Object localAllowed() {
    return local.check(request, null);
  }
}
