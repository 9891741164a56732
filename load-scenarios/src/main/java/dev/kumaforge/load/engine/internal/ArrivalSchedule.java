package dev.kumaforge.load.engine.internal;

import dev.kumaforge.common.units.Rate;
import dev.kumaforge.load.scenario.Phase;
import dev.kumaforge.load.scenario.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The intended send times of a run, as nanosecond offsets from the run start, computed from the
 * phase start and the sequence number (never by accumulating sleeps).
 *
 * <p>The run is a warm-up segment at the first phase's rate followed by the measured phases. Within
 * a segment with rate {@code r}, the arrival "count coordinate" {@code u} is {@code 0, 1, 2...} for
 * constant arrivals or a sum of Exp(1) draws for Poisson arrivals, and the send time is {@code
 * segmentStart + u / r}.
 */
public final class ArrivalSchedule {
  /**
   * One segment of the run: the rate changes linearly from {@code startRate} to {@code endRate}
   * (equal for constant segments).
   */
  public record Segment(
      String name,
      long startNanos,
      long endNanos,
      double startRate,
      double endRate,
      boolean measured) {

    /**
     * The offset from the segment start (ns) at which the expected count reaches {@code u}, or -1
     * when it is never reached: inverts N(t) = r0 t + (r1 - r0) t^2 / (2 D).
     */
    long offsetOf(double u) {
      double d = (endNanos - startNanos) / 1e9;
      double a = (endRate - startRate) / (2 * d);
      double b = startRate;
      if (Math.abs(a) < 1e-12) {
        if (b <= 0) {
          return -1;
        }
        return (long) (u * 1e9 / b);
      }
      double disc = b * b + 4 * a * u;
      if (disc < 0) {
        return -1;
      }
      double root = Math.sqrt(disc);
      if (b + root <= 0) {
        return -1;
      }
      return (long) (2 * u / (b + root) * 1e9);
    }
  }

  private final List<Segment> segments;
  private final boolean randomGaps;
  private final double shape;
  private final SplittableRandom random;
  private int segment;
  private long index;
  private double u;
  private long next;

  /** A schedule for {@code workload}, seeded by {@code seed}. */
  public ArrivalSchedule(Workload workload, long seed) {
    this(segmentsOf(workload), gapShape(workload), seed);
  }

  /** 0 for constant gaps, else the gamma shape of the gaps (1 = exponential, i.e. Poisson). */
  private static double gapShape(Workload workload) {
    return switch (workload.arrivals()) {
      case CONSTANT -> 0;
      case POISSON -> 1;
      case GAMMA -> 1 / (workload.burstiness() * workload.burstiness());
    };
  }

  /**
   * The segments of {@code workload} with nothing to send (closed-loop runs use only the times).
   */
  public static ArrivalSchedule timesOnly(Workload workload) {
    List<Segment> silent = new ArrayList<>();
    for (Segment s : segmentsOf(workload)) {
      silent.add(new Segment(s.name(), s.startNanos(), s.endNanos(), 0, 0, s.measured()));
    }
    return new ArrivalSchedule(silent, 0, 0);
  }

  ArrivalSchedule(List<Segment> segments, double shape, long seed) {
    this.segments = List.copyOf(segments);
    this.randomGaps = shape > 0;
    this.shape = shape;
    this.random = new SplittableRandom(seed);
    this.segment = 0;
    this.index = 0;
    this.u = randomGaps ? exp() : 0;
    this.next = computeNext();
  }

  /** The warm-up segment (if any) and one segment per phase. */
  public static List<Segment> segmentsOf(Workload workload) {
    List<Segment> out = new ArrayList<>();
    long t = 0;
    long warmup = workload.warmup().toNanos();
    if (warmup > 0) {
      // A ramp from a share of the first phase's rate over the first half, then that rate: a cold
      // JIT-compiled target is not knocked over by full load before it is warm.
      double r = rateOf(workload.phases().get(0).startRate());
      long half = warmup / 2;
      out.add(new Segment("warmup", 0, half, r * Workload.WARMUP_START_SHARE, r, false));
      out.add(new Segment("warmup", half, warmup, r, r, false));
      t = warmup;
    }
    for (Phase p : workload.phases()) {
      long d = p.duration().toNanos();
      switch (p.type()) {
        case CONSTANT -> {
          double r = rateOf(p.rate());
          out.add(new Segment(p.name(), t, t + d, r, r, true));
        }
        case RAMP ->
            out.add(
                new Segment(p.name(), t, t + d, p.from().perSecond(), p.to().perSecond(), true));
        case STEP -> {
          int n = p.steps();
          double r0 = p.from().perSecond();
          double r1 = p.to().perSecond();
          for (int k = 0; k < n; k++) {
            long s0 = t + d * k / n;
            long s1 = t + d * (k + 1) / n;
            double r = r0 + (r1 - r0) * k / (n - 1);
            out.add(new Segment(p.name(), s0, s1, r, r, true));
          }
        }
      }
      t += d;
    }
    return out;
  }

  private static double rateOf(Rate rate) {
    return rate == null ? 0 : rate.perSecond();
  }

  public List<Segment> segments() {
    return segments;
  }

  /** Offset of the first measured send slot: the end of the warm-up. */
  public long measureStartNanos() {
    for (Segment s : segments) {
      if (s.measured()) {
        return s.startNanos();
      }
    }
    return segments.get(segments.size() - 1).endNanos();
  }

  /** Offset of the end of the last segment. */
  public long endNanos() {
    return segments.get(segments.size() - 1).endNanos();
  }

  /** The next intended send offset, or -1 when the schedule is exhausted. */
  public long peek() {
    return next;
  }

  /** Whether the send returned by {@link #peek()} falls in a measured segment. */
  public boolean peekMeasured() {
    return next >= 0 && segments.get(segment).measured();
  }

  /** Moves to the following send. */
  public void advance() {
    if (next < 0) {
      return;
    }
    index++;
    u = randomGaps ? u + exp() : index;
    next = computeNext();
  }

  private long computeNext() {
    while (segment < segments.size()) {
      Segment s = segments.get(segment);
      long rel = s.offsetOf(u);
      if (rel >= 0 && s.startNanos() + rel < s.endNanos()) {
        return s.startNanos() + rel;
      }
      segment++;
      index = 0;
      u = randomGaps ? exp() : 0;
    }
    return -1;
  }

  /** A random gap in count units: mean 1, gamma distributed with the configured shape. */
  private double exp() {
    if (shape == 1) {
      return -Math.log(1.0 - random.nextDouble());
    }
    return gamma(shape) / shape;
  }

  /** Gamma(k, 1) by Marsaglia and Tsang; k below 1 through Gamma(k + 1) * U^(1/k). */
  private double gamma(double k) {
    if (k < 1) {
      double u = 1.0 - random.nextDouble();
      return gamma(k + 1) * Math.pow(u, 1 / k);
    }
    double d = k - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x = random.nextGaussian();
      double v = 1 + c * x;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = 1.0 - random.nextDouble();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
        return d * v;
      }
    }
  }

  /** Counts the measured sends of a fresh schedule with the same inputs. */
  public static long countMeasured(Workload workload, long seed) {
    ArrivalSchedule s = new ArrivalSchedule(workload, seed);
    long n = 0;
    while (s.peek() >= 0) {
      if (s.peekMeasured()) {
        n++;
      }
      s.advance();
    }
    return n;
  }
}
