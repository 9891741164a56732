package dev.kumaforge.harness.chaos;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What one fault did, computed from the fault monitor's samples.
 *
 * @param evidenceMillis from the fault's start to the first sample showing it took effect, or null
 * @param evidence what that sample showed (e.g. {@code upstream failures +3})
 * @param detectMillis from the fault's start to the gateway's detection (an outlier ejection or an
 *     endpoint out of balancing: the circuit opening), or null
 * @param windowMillis the window looked at: the fault's duration, or {@link
 *     #ONE_SHOT_WINDOW_MILLIS} for a one-shot action
 * @param clientRequests requests the load sent in the window
 * @param clientErrors requests that failed at the client in the window
 * @param backendRequests requests the backends served in the window
 * @param amplification backendRequests / clientRequests (retries and hedges make it above 1)
 * @param lastErrorAfterEndMillis from the window's end to the last sample with new client errors, 0
 *     when none came after the end
 */
public record FaultFigures(
    Long evidenceMillis,
    String evidence,
    Long detectMillis,
    long windowMillis,
    long clientRequests,
    long clientErrors,
    long backendRequests,
    Double amplification,
    long lastErrorAfterEndMillis,
    Long backInBalancingMillis) {

  /** The window of a one-shot action (kill without restart, reload). */
  public static final long ONE_SHOT_WINDOW_MILLIS = 5000;

  /**
   * Computes the figures of a fault active from {@code startNanos} to {@code endNanos} ({@code
   * endNanos == startNanos} for a one-shot action) from samples in time order.
   */
  public static FaultFigures of(List<FaultSample> samples, long startNanos, long endNanos) {
    long windowEnd =
        endNanos > startNanos
            ? endNanos
            : startNanos + TimeUnit.MILLISECONDS.toNanos(ONE_SHOT_WINDOW_MILLIS);
    FaultSample base = null;
    FaultSample atEnd = null;
    for (FaultSample s : samples) {
      if (s.tNanos() <= startNanos) {
        base = s;
      }
      if (s.tNanos() <= windowEnd) {
        atEnd = s;
      }
    }
    if (base == null) {
      base = samples.isEmpty() ? null : samples.get(0);
    }
    if (base == null || atEnd == null) {
      return new FaultFigures(
          null, null, null, millis(windowEnd - startNanos), 0, 0, 0, null, 0, null);
    }
    Long evidenceAt = null;
    String evidence = null;
    Long detectAt = null;
    long lastError = 0;
    Long backIn = null;
    FaultSample prev = base;
    for (FaultSample s : samples) {
      if (s.tNanos() <= startNanos) {
        continue;
      }
      long t = millis(s.tNanos() - startNanos);
      if (evidenceAt == null && s.tNanos() <= windowEnd) {
        String e = evidence(base, s);
        if (e != null) {
          evidenceAt = t;
          evidence = e;
        }
      }
      if (detectAt == null
          && (s.ejections() > base.ejections() || s.unavailable() > base.unavailable())) {
        detectAt = t;
      }
      if (s.tNanos() > windowEnd && s.clientErrors() > prev.clientErrors()) {
        lastError = millis(s.tNanos() - windowEnd);
      }
      if (detectAt != null
          && backIn == null
          && s.tNanos() >= windowEnd
          && s.unavailable() <= base.unavailable()) {
        backIn = millis(s.tNanos() - windowEnd);
      }
      prev = s;
    }
    long client = Math.round(atEnd.clientSent() - base.clientSent());
    long backend = Math.round(atEnd.backendRequests() - base.backendRequests());
    return new FaultFigures(
        evidenceAt,
        evidence,
        detectAt,
        millis(windowEnd - startNanos),
        client,
        atEnd.clientErrors() - base.clientErrors(),
        backend,
        client > 0 ? Math.round(1000.0 * backend / client) / 1000.0 : null,
        lastError,
        backIn);
  }

  /** What {@code s} shows that {@code base} did not, or null. */
  static String evidence(FaultSample base, FaultSample s) {
    StringBuilder b = new StringBuilder();
    add(b, "client errors", s.clientErrors() - base.clientErrors());
    add(b, "gateway upstream failures", s.upstreamFailures() - base.upstreamFailures());
    add(b, "gateway retries", s.retries() - base.retries());
    add(b, "backend errors", s.backendErrors() - base.backendErrors());
    add(b, "outlier ejections", s.ejections() - base.ejections());
    add(b, "rate limit Redis errors", s.rateLimitRedisErrors() - base.rateLimitRedisErrors());
    if (base.configVersion() >= 0
        && s.configVersion() >= 0
        && s.configVersion() != base.configVersion()) {
      sep(b).append("gateway config version ").append((long) base.configVersion());
      b.append(" -> ").append((long) s.configVersion());
    }
    if (base.gatewayUp() && !s.gatewayUp()) {
      sep(b).append("gateway admin not answering");
    }
    return b.length() == 0 ? null : b.toString();
  }

  private static void add(StringBuilder b, String what, double delta) {
    if (delta > 0) {
      sep(b).append(what).append(" +").append(Math.round(delta));
    }
  }

  private static StringBuilder sep(StringBuilder b) {
    return b.length() == 0 ? b : b.append(", ");
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
