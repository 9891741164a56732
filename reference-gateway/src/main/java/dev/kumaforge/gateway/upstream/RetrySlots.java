package dev.kumaforge.gateway.upstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The retries in flight to one backend, bounded by MeshCircuitBreaker's maxRetries and the retry
 * budget. Taking a slot checks and increments in one compare-and-set: exchanges whose tries fail at
 * the same moment on different threads must not all see the last free slot.
 */
public final class RetrySlots {
  private final AtomicInteger inFlight = new AtomicInteger();

  /**
   * Takes a slot when fewer than {@code limit} retries are in flight; false (nothing taken) else.
   */
  public boolean tryTake(double limit) {
    while (true) {
      int now = inFlight.get();
      if (now >= limit) {
        return false;
      }
      if (inFlight.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** Gives back a slot {@link #tryTake} took. */
  public void release() {
    inFlight.decrementAndGet();
  }

  /** Retries in flight now. */
  public int inFlight() {
    return inFlight.get();
  }
}
