package dev.kumaforge.bench.hdr;

import dev.kumaforge.common.hdr.HlogTags;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The load engine's latency recording path: an HdrHistogram {@link Recorder} with the engine's
 * range ({@link HlogTags#HIGHEST_TRACKABLE_MICROS}, {@link HlogTags#SIGNIFICANT_DIGITS} digits),
 * values clamped and recorded in microseconds from a fixed pseudo-random latency mix (mostly 200 µs
 * to 20 ms, a tail to 2 s); {@code intervalSwap} is the once-per-interval {@code
 * getIntervalHistogram(recycled)} the writer thread does; the {@code recordWhileSwapping} group
 * records on one thread while another swaps back to back (the worst case for the recording thread).
 *
 * <p>How to run (from /work/main):
 *
 * <pre>{@code
 * ./mvnw -B -q -pl microbenchmarks package -DskipTests
 * java -jar microbenchmarks/target/benchmarks.jar RecorderBench
 * java -jar microbenchmarks/target/benchmarks.jar 'RecorderBench.recordValue' -rf json -rff hdr.json
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
public class RecorderBench {
  /** Number of precomputed latencies (a power of two). */
  static final int VALUES = 4_096;

  final long[] micros = latencies(VALUES, 42);
  Recorder recorder;
  Histogram recycled;
  int next;

  /** Creates the recorder once per trial. */
  @Setup
  public void setUp() {
    recorder = newRecorder();
    recycled = null;
  }

  /** One latency recorded, as the engine does for each response. */
  @Benchmark
  public Recorder recordValue() {
    recorder.recordValue(clamp(micros[next++ & (VALUES - 1)]));
    return recorder;
  }

  /** One value recorded, then the interval swapped out with a recycled histogram. */
  @Benchmark
  public long intervalSwap() {
    recorder.recordValue(clamp(micros[next++ & (VALUES - 1)]));
    recycled = recorder.getIntervalHistogram(recycled);
    return recycled.getTotalCount();
  }

  /** A recorder shared by one recording and one swapping thread. */
  @State(Scope.Group)
  public static class Shared {
    final long[] micros = latencies(VALUES, 7);
    Recorder recorder;
    Histogram recycled;
    int next;

    /** Creates the shared recorder once per trial. */
    @Setup
    public void setUp() {
      recorder = newRecorder();
    }
  }

  /** The recording thread while the other thread swaps intervals. */
  @Benchmark
  @Group("recordWhileSwapping")
  @GroupThreads(1)
  public Recorder record(Shared s) {
    s.recorder.recordValue(clamp(s.micros[s.next++ & (VALUES - 1)]));
    return s.recorder;
  }

  /** The swapping thread. */
  @Benchmark
  @Group("recordWhileSwapping")
  @GroupThreads(1)
  public long swap(Shared s) {
    s.recycled = s.recorder.getIntervalHistogram(s.recycled);
    return s.recycled.getTotalCount();
  }

  /** A recorder with the load engine's range and precision. */
  static Recorder newRecorder() {
    return new Recorder(HlogTags.HIGHEST_TRACKABLE_MICROS, HlogTags.SIGNIFICANT_DIGITS);
  }

  /** Clamps to the trackable range, as the load engine does before recording. */
  static long clamp(long micros) {
    return Math.max(0, Math.min(micros, HlogTags.HIGHEST_TRACKABLE_MICROS));
  }

  /** {@code n} latencies in microseconds: log-uniform over 200 µs to 20 ms, 1% up to 2 s. */
  static long[] latencies(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long[] values = new long[n];
    for (int i = 0; i < n; i++) {
      double high = random.nextInt(100) == 0 ? Math.log(2_000_000) : Math.log(20_000);
      values[i] = Math.round(Math.exp(random.nextDouble(Math.log(200), high)));
    }
    return values;
  }
}
