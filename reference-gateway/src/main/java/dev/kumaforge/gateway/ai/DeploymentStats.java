package dev.kumaforge.gateway.ai;

import java.util.concurrent.atomic.AtomicInteger;

/** Live numbers of one deployment for the latency and least-busy strategies. */
public final class DeploymentStats {
  private static final double ALPHA = 0.2;

  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile double ttftMillis = -1;

  /** Requests in flight. */
  public AtomicInteger inFlight() {
    return inFlight;
  }

  /** Moving average (EWMA, alpha 0.2) time to first token in ms; -1 before the first sample. */
  public double ttftMillis() {
    return ttftMillis;
  }

  /** Adds a time-to-first-token sample. */
  public synchronized void ttft(double millis) {
    ttftMillis = ttftMillis < 0 ? millis : ttftMillis + ALPHA * (millis - ttftMillis);
  }
}
