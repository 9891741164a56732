package dev.kumaforge.gateway.internal;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The per-try timers of the proxy's and the AI gateway's upstream tries: a hashed wheel (10 ms
 * ticks, one daemon thread for the process) whose cancelled timeouts leave the wheel at the next
 * tick.
 *
 * <p>Not Pekko's scheduler: its {@code LightArrayRevolverScheduler} keeps a cancelled task (a
 * {@code TaskHolder} and a queue node, ~50 bytes) in its wheel until the wheel next passes its slot
 * (up to a revolution, 5.12 s by default; a 15 s timeout goes round more than once). That is every
 * request of the last seconds, ~90,000 objects at 20,000 req/s: they survive young collections, are
 * copied and promoted (~0.7 MB a collection), and the wheel's links from old to young nodes dirty
 * cards the collector has to scan. Here a timeout cancelled after the ~1 ms an exchange takes is
 * garbage before the next collection.
 */
public final class TryTimer {
  private static final HashedWheelTimer WHEEL =
      new HashedWheelTimer(
          new DefaultThreadFactory("forge-try-timer", true), 10, TimeUnit.MILLISECONDS, 512);

  private TryTimer() {}

  /**
   * Runs {@code task} on the timer's thread after {@code delayNanos} unless the returned timeout is
   * cancelled first; the task should hand real work to an executor.
   */
  public static Timeout schedule(TimerTask task, long delayNanos) {
    return WHEEL.newTimeout(task, delayNanos, TimeUnit.NANOSECONDS);
  }

  /** Timeouts scheduled and neither expired nor removed after their cancellation yet. */
  public static long pending() {
    return WHEEL.pendingTimeouts();
  }
}
