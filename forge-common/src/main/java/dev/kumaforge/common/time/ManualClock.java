package dev.kumaforge.common.time;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link NanoClock} that only moves when a test calls {@link #advance(Duration)}. */
public final class ManualClock implements NanoClock {
  private final AtomicLong nanos = new AtomicLong();
  private final long epochMillisAtZero;

  public ManualClock() {
    this(1_700_000_000_000L);
  }

  public ManualClock(long epochMillisAtZero) {
    this.epochMillisAtZero = epochMillisAtZero;
  }

  /** Moves the clock forward by {@code d}. */
  public void advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("time only moves forward: " + d);
    }
    nanos.addAndGet(d.toNanos());
  }

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  @Override
  public long currentTimeMillis() {
    return epochMillisAtZero + nanos.get() / 1_000_000;
  }
}
