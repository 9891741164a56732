package dev.kumaforge.gateway.circuitbreaker;

import dev.kumaforge.gateway.config.Backend;

/**
 * Outlier-detection state of one endpoint: consecutive failures eject it for {@code n x
 * baseEjectionTime} (n = ejections so far); after that it returns half-open, where the first
 * failure ejects it again and the first success closes it.
 */
public final class EndpointHealth {
  /** Endpoint state. */
  public enum State {
    CLOSED,
    EJECTED,
    HALF_OPEN
  }

  private volatile boolean activeHealthy = true;
  private int checkSuccesses;
  private int checkFailures;
  private long ejectedUntilNanos = Long.MIN_VALUE;
  private boolean ejected;
  private int ejections;
  private int consecutiveTotal;
  private int consecutiveGateway;
  private int consecutiveLocal;
  private long windowRequests;
  private long windowFailures;

  /** True when the endpoint may receive traffic at {@code now}. */
  public boolean available(long now) {
    return activeHealthy && notEjected(now);
  }

  private synchronized boolean notEjected(long now) {
    return !ejected || now - ejectedUntilNanos >= 0;
  }

  /** False while active health checks report the endpoint unhealthy. */
  public boolean activeHealthy() {
    return activeHealthy;
  }

  /**
   * Records an active health check result; returns true when it changed the healthy state.
   *
   * @param passed whether the check passed
   * @param healthyThreshold passes in a row to become healthy
   * @param unhealthyThreshold failures in a row to become unhealthy
   */
  public synchronized boolean onCheck(
      boolean passed, int healthyThreshold, int unhealthyThreshold) {
    if (passed) {
      checkFailures = 0;
      checkSuccesses++;
      if (!activeHealthy && checkSuccesses >= healthyThreshold) {
        activeHealthy = true;
        return true;
      }
    } else {
      checkSuccesses = 0;
      checkFailures++;
      if (activeHealthy && checkFailures >= unhealthyThreshold) {
        activeHealthy = false;
        return true;
      }
    }
    return false;
  }

  /** The state at {@code now}. */
  public synchronized State state(long now) {
    if (!ejected) {
      return State.CLOSED;
    }
    return now - ejectedUntilNanos >= 0 ? State.HALF_OPEN : State.EJECTED;
  }

  /** Nanoseconds until the endpoint returns, 0 when available. */
  public synchronized long remainingNanos(long now) {
    return ejected ? Math.max(0, ejectedUntilNanos - now) : 0;
  }

  /** How many times this endpoint was ejected. */
  public synchronized int ejections() {
    return ejections;
  }

  /** Records a success: counters reset, a half-open endpoint closes. */
  public synchronized void onSuccess() {
    consecutiveTotal = 0;
    consecutiveGateway = 0;
    consecutiveLocal = 0;
    ejected = false;
    windowRequests++;
  }

  /**
   * Requests and failures since the last call, then resets both (for the interval detectors).
   *
   * @return {requests, failures}
   */
  public synchronized long[] takeWindow() {
    long[] w = {windowRequests, windowFailures};
    windowRequests = 0;
    windowFailures = 0;
    return w;
  }

  /** Ejects the endpoint now (interval detectors); false when it is already ejected. */
  public synchronized boolean eject(long now, Backend.Outlier policy) {
    if (ejected && now - ejectedUntilNanos < 0) {
      return false;
    }
    ejectFor(now, policy);
    return true;
  }

  private void ejectFor(long now, Backend.Outlier policy) {
    ejections++;
    long base = policy.baseEjectionTime().toNanos();
    long max = policy.maxEjectionTime().toNanos();
    long duration = Math.min(max, base * Math.min(ejections, 1_000));
    ejected = true;
    ejectedUntilNanos = now + duration;
    consecutiveTotal = 0;
    consecutiveGateway = 0;
    consecutiveLocal = 0;
  }

  /**
   * Records a failure; returns true when this failure ejected the endpoint.
   *
   * @param gatewayError a 502/503/504, connect failure, reset or timeout
   * @param localOrigin a failure seen locally: connect failure, reset or timeout
   * @param ejectionAllowed false when max ejection percent is reached
   */
  public synchronized boolean onFailure(
      boolean gatewayError,
      boolean localOrigin,
      long now,
      Backend.Outlier policy,
      boolean ejectionAllowed) {
    windowRequests++;
    windowFailures++;
    consecutiveTotal++;
    consecutiveGateway = gatewayError ? consecutiveGateway + 1 : 0;
    consecutiveLocal = localOrigin ? consecutiveLocal + 1 : 0;
    boolean halfOpen = ejected && now - ejectedUntilNanos >= 0;
    Backend.Detectors d = policy.detectors();
    boolean trip =
        halfOpen
            || consecutiveTotal >= d.totalFailures().consecutive()
            || consecutiveGateway >= d.gatewayFailures().consecutive()
            || consecutiveLocal >= d.localOriginFailures().consecutive();
    if (!trip || (!halfOpen && !ejectionAllowed) || (ejected && !halfOpen)) {
      return false;
    }
    ejectFor(now, policy);
    return true;
  }

  /** True when ejected (not yet returned) at {@code now}. */
  public synchronized boolean isEjected(long now) {
    return ejected && now - ejectedUntilNanos < 0;
  }
}
