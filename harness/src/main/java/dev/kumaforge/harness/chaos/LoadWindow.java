package dev.kumaforge.harness.chaos;

import dev.kumaforge.chaos.experiment.Probe;
import dev.kumaforge.chaos.experiment.ProbeType;
import dev.kumaforge.chaos.experiment.runner.ProbeEvaluator;
import dev.kumaforge.chaos.experiment.runner.ProbeEvaluator.ProbeResult;
import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.common.units.Durations;
import dev.kumaforge.load.engine.Progress;
import dev.kumaforge.load.engine.ProgressListener;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The running load as the hypothesis sees it: the load engine's once-per-second progress kept over
 * a sliding window. {@code error-rate} is failed requests / requests sent in the window; {@code
 * latency} is the highest per-second p99 in the window (the engine reports p99 per second, so only
 * percentile 99 is supported). A probe fails when no progress arrived for {@link #STALE_NANOS}.
 */
public final class LoadWindow implements ProgressListener {
  /** Progress older than this means the load is not running. */
  static final long STALE_NANOS = TimeUnit.MILLISECONDS.toNanos(2500);

  /** The ramp phase {@code forge chaos} puts after the warm-up; not yet the steady load. */
  public static final String RAMP_PHASE = "ramp-up";

  private static final long KEEP_NANOS = TimeUnit.MINUTES.toNanos(10);

  /** One second of progress: cumulative sent and errors, and that second's p99. */
  record Sample(long tNanos, double sent, long errors, long p99Micros) {}

  private final NanoClock clock;
  private final Deque<Sample> samples = new ArrayDeque<>();
  private final CountDownLatch measuring = new CountDownLatch(1);
  private double sent;
  private long lastElapsedNanos;

  /** A window fed by {@link #onProgress}, timed by {@code clock}. */
  public LoadWindow(NanoClock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized void onProgress(Progress p) {
    long elapsed = p.elapsed().toNanos();
    sent += p.currentRps() * Math.max(0, elapsed - lastElapsedNanos) / 1e9;
    lastElapsedNanos = elapsed;
    long now = clock.nanoTime();
    samples.addLast(new Sample(now, sent, p.errors(), p.p99Micros()));
    while (!samples.isEmpty() && samples.peekFirst().tNanos() < now - KEEP_NANOS) {
      samples.removeFirst();
    }
    if (!"warmup".equals(p.phase()) && !RAMP_PHASE.equals(p.phase())) {
      measuring.countDown();
    }
  }

  /** Waits until the warm-up and the ramp are over; false on timeout. */
  public boolean awaitMeasuring(long timeout, TimeUnit unit) throws InterruptedException {
    return measuring.await(timeout, unit);
  }

  /** Requests sent so far (estimated from the per-second rates). */
  public synchronized double sent() {
    return sent;
  }

  /** Failed requests so far. */
  public synchronized long errors() {
    return samples.isEmpty() ? 0 : samples.peekLast().errors();
  }

  /** The evaluators of the load-based probe types. */
  public Map<ProbeType, ProbeEvaluator> evaluators() {
    Map<ProbeType, ProbeEvaluator> m = new EnumMap<>(ProbeType.class);
    m.put(ProbeType.ERROR_RATE, this::errorRate);
    m.put(ProbeType.LATENCY, this::latency);
    return m;
  }

  private synchronized String staleness() {
    if (samples.isEmpty()) {
      return "no load progress yet";
    }
    long age = clock.nanoTime() - samples.peekLast().tNanos();
    return age > STALE_NANOS ? "no load progress for " + age / 1_000_000 + " ms" : null;
  }

  synchronized ProbeResult errorRate(Probe p) {
    String stale = staleness();
    if (stale != null) {
      return new ProbeResult(false, Double.NaN, stale);
    }
    Sample last = samples.peekLast();
    Sample base = new Sample(0, 0, 0, 0);
    long from = last.tNanos() - p.window().toNanos();
    for (Sample s : samples) {
      if (s.tNanos() > from) {
        break;
      }
      base = s;
    }
    double sentIn = last.sent() - base.sent();
    long errorsIn = last.errors() - base.errors();
    double rate = sentIn <= 0 ? 0 : Math.min(1, errorsIn / sentIn);
    boolean ok = (p.min() == null || rate >= p.min()) && (p.max() == null || rate <= p.max());
    return new ProbeResult(
        ok,
        rate,
        String.format(
            Locale.ROOT,
            "error rate %.4f (%d of %.0f in %s; max %s)",
            rate,
            errorsIn,
            sentIn,
            Durations.format(p.window()),
            p.max()));
  }

  synchronized ProbeResult latency(Probe p) {
    if (p.percentile() != 99.0) {
      return new ProbeResult(
          false,
          Double.NaN,
          "percentile " + p.percentile() + ": the load engine reports p99 per second only");
    }
    String stale = staleness();
    if (stale != null) {
      return new ProbeResult(false, Double.NaN, stale);
    }
    long from = samples.peekLast().tNanos() - p.window().toNanos();
    long worst = 0;
    for (Sample s : samples) {
      if (s.tNanos() > from) {
        worst = Math.max(worst, s.p99Micros());
      }
    }
    long maxMicros = p.maxLatency().toNanos() / 1000;
    return new ProbeResult(
        worst <= maxMicros,
        worst / 1000.0,
        "p99 "
            + Durations.formatMicros(worst)
            + " (highest per-second p99 in "
            + Durations.format(p.window())
            + "; max "
            + Durations.format(p.maxLatency())
            + ")");
  }
}
