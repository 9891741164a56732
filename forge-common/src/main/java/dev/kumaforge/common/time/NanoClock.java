package dev.kumaforge.common.time;

/**
 * A source of monotonic nanoseconds and wall-clock time, injected into everything that measures or
 * schedules so tests can advance time by hand ({@link ManualClock}).
 */
public interface NanoClock {
  /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
  long nanoTime();

  /** Wall-clock milliseconds since the epoch, as {@link System#currentTimeMillis()}. */
  long currentTimeMillis();

  /** The system clock. */
  static NanoClock system() {
    return SystemClock.INSTANCE;
  }
}
