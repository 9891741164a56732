package dev.kumaforge.chaos.proxy.toxics;

import java.util.concurrent.TimeUnit;

/**
 * {@code latency}: every chunk leaves {@code latency} ms (plus or minus a uniform {@code jitter})
 * after it was read, in order; the end of stream follows the last chunk.
 */
public final class LatencyToxic extends HoldingToxic {
  private final long latencyMs;
  private final long jitterMs;

  /** A latency toxic; both values in milliseconds. */
  public LatencyToxic(long latencyMs, long jitterMs) {
    this.latencyMs = latencyMs;
    this.jitterMs = jitterMs;
  }

  @Override
  protected void pump() {
    while (!queue.isEmpty()) {
      Held head = queue.peek();
      if (head.data != null) {
        if (head.dueNanos == Long.MIN_VALUE) {
          long delayMs = latencyMs;
          if (jitterMs > 0) {
            delayMs += context().random().nextLong(-jitterMs, jitterMs + 1);
          }
          head.dueNanos = head.readNanos + TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMs));
        }
        long wait = head.dueNanos - context().nanoTime();
        if (wait > 0) {
          wakeAfter(wait);
          return;
        }
      }
      emitHead();
    }
  }
}
