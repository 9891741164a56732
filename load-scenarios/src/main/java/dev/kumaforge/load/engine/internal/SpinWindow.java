package dev.kumaforge.load.engine.internal;

/**
 * How long before an intended send the engine's event loop stops sleeping and polls: long enough to
 * cover how late this machine's timer wake-ups are, no longer (polling is a busy core).
 *
 * <p>Every timer wake-up's lateness (when it ran minus when it was due) is fed to {@link #observe};
 * the window follows a high quantile of it with an asymmetric moving average (up by 1/16 of the
 * difference, down by 1/1024), plus a margin, within [{@link #MIN_NANOS}, {@link #MAX_NANOS}]. A
 * single very late wake-up (a pause, a preemption) counts as at most {@link #MAX_NANOS} late, so it
 * moves the window by a few microseconds, not to the cap. Measured on a 2-vCPU VM
 * (reference-gateway/BENCHMARK.md, "The machine's floor for timing precision"), timers woke 100 us
 * late at p50, 150 - 165 us at p90 and ~200 us at p99, where a fixed 100 us window left a send lag
 * of 63 - 68 us at p90; on a machine with the kernel's usual 50 us timer slack the window settles
 * near 70 - 90 us.
 *
 * <p>Not thread-safe: the event loop's thread only.
 */
public final class SpinWindow {
  /** The window at the start, before any wake-up was seen. */
  static final long INITIAL_NANOS = 100_000L;

  /** The smallest window. */
  static final long MIN_NANOS = 50_000L;

  /** The largest window, and the most one wake-up counts as late. */
  static final long MAX_NANOS = 500_000L;

  /** Added to the tracked lateness. */
  static final long MARGIN_NANOS = 20_000L;

  private long late = INITIAL_NANOS - MARGIN_NANOS;

  /** The smallest and largest window after a wake-up so far, 0 before the first one. */
  private long lowest;

  private long highest;

  /** Feeds one timer wake-up that ran {@code lateNanos} after it was due (negative: early). */
  public void observe(long lateNanos) {
    long l = Math.max(0, Math.min(lateNanos, MAX_NANOS));
    if (l > late) {
      late += (l - late + 15) / 16;
    } else {
      late -= (late - l) / 1024;
    }
    long now = nanos();
    lowest = lowest == 0 ? now : Math.min(lowest, now);
    highest = Math.max(highest, now);
  }

  /** The current window. */
  public long nanos() {
    return Math.max(MIN_NANOS, Math.min(MAX_NANOS, late + MARGIN_NANOS));
  }

  /** The smallest window any wake-up left so far; the current window before the first one. */
  public long lowest() {
    return lowest == 0 ? nanos() : lowest;
  }

  /** The largest window any wake-up left so far; the current window before the first one. */
  public long highest() {
    return highest == 0 ? nanos() : highest;
  }
}
