package dev.kumaforge.bench.circuitbreaker;

import dev.kumaforge.gateway.circuitbreaker.EndpointHealth;
import dev.kumaforge.gateway.config.Backend;
import java.time.Duration;
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
 * The per-endpoint circuit breaker / outlier detection state ({@link EndpointHealth}) on the
 * request path: {@code available} before picking an endpoint, {@code onSuccess} after a good
 * response, a failure followed by a success (counters move, no ejection), and a full trip: a
 * failure that ejects the endpoint (threshold 1), then the success that closes it again.
 * Single-threaded; {@code availableContended} and {@code successContended} run on two threads
 * against one endpoint.
 *
 * <p>How to run (from /work/main):
 *
 * <pre>{@code
 * ./mvnw -B -q -pl microbenchmarks package -DskipTests
 * java -jar microbenchmarks/target/benchmarks.jar EndpointHealthBench
 * java -jar microbenchmarks/target/benchmarks.jar EndpointHealthBench -rf json -rff health.json
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
public class EndpointHealthBench {
  EndpointHealth closed;
  EndpointHealth flapping;
  Backend.Outlier tolerant;
  Backend.Outlier strict;
  long now;

  /** Creates the endpoints and policies once per trial. */
  @Setup
  public void setUp() {
    closed = new EndpointHealth();
    flapping = new EndpointHealth();
    // The gateway's defaults: 5 consecutive failures eject, for 30 s times the ejection count.
    tolerant = new Backend.Outlier(null, null, null, null, null, null);
    // One failure ejects, for zero time: every failure trips, every success closes again.
    strict =
        new Backend.Outlier(
            null,
            Duration.ZERO,
            null,
            new Backend.Detectors(new Backend.Consecutive(1), null, null, null, null),
            null,
            null);
    now = System.nanoTime();
  }

  /** The check made before an endpoint is picked. */
  @Benchmark
  public boolean available() {
    return closed.available(now);
  }

  /** A good response recorded. */
  @Benchmark
  public EndpointHealth onSuccess() {
    closed.onSuccess();
    return closed;
  }

  /** A gateway error recorded (below the threshold), then a success resetting the counters. */
  @Benchmark
  public boolean failureThenSuccess() {
    boolean ejected = closed.onFailure(true, false, now, tolerant, true);
    closed.onSuccess();
    return ejected;
  }

  /** An endpoint ejected by one failure, then closed by the next success. */
  @Benchmark
  public boolean tripThenClose() {
    boolean ejected = flapping.onFailure(true, true, now, strict, true);
    flapping.onSuccess();
    return ejected;
  }

  /** Two threads checking one endpoint. */
  @Benchmark
  @Threads(2)
  public boolean availableContended() {
    return closed.available(now);
  }

  /** Two threads recording successes on one endpoint. */
  @Benchmark
  @Threads(2)
  public EndpointHealth successContended() {
    closed.onSuccess();
    return closed;
  }
}
