package dev.kumaforge.chaos.experiment.runner;

import dev.kumaforge.common.time.NanoClock;
import java.util.concurrent.TimeUnit;

/** Waits until a point of the injected clock; tests advance a ManualClock instead of waiting. */
public interface Sleeper {
  /** Returns once {@code clock.nanoTime() >= nanoTime} (or earlier when interrupted). */
  void sleepUntil(long nanoTime) throws InterruptedException;

  /** Really sleeps, reading {@code clock}. */
  static Sleeper real(NanoClock clock) {
    return target -> {
      long wait = target - clock.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    };
  }
}
