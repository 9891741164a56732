package dev.kumaforge.harness.run;

import dev.kumaforge.harness.process.ProcessSampler;
import dev.kumaforge.load.engine.ProgressListener;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The target's reading taken when a load's measured phases begin: at once when the load has no
 * warm-up, else at its first progress report past the warm-up (or when Gatling says so). CPU over
 * the measured phases only is taken from it, warm-up and JIT of the warm-up excluded.
 */
final class MeasureStart {
  private final ProcessSampler sampler;
  private final AtomicReference<ProcessSampler.Snapshot> at = new AtomicReference<>();

  /** {@code sampler} may be null (a target without a process of its own): nothing is read. */
  MeasureStart(ProcessSampler sampler, Duration warmup) {
    this.sampler = sampler;
    if (warmup.isZero()) {
      begin();
    }
  }

  /** Takes the reading now, unless one was taken already. */
  void begin() {
    if (sampler != null && at.get() == null) {
      at.compareAndSet(null, sampler.snapshot());
    }
  }

  /** Shows each progress report on {@code console}; the first one past the warm-up begins. */
  ProgressListener listener(Console console) {
    return p -> {
      if (!"warmup".equals(p.phase())) {
        begin();
      }
      console.status(Loads.status(p));
    };
  }

  /** The reading, or null when none was taken (yet). */
  ProcessSampler.Snapshot get() {
    return at.get();
  }
}
