package dev.kumaforge.load.engine;

import dev.kumaforge.common.units.Durations;
import java.time.Duration;
import java.util.Locale;

/**
 * A once-per-second snapshot of a running load.
 *
 * @param target the target's name
 * @param trial the trial number (1-based)
 * @param phase {@code warmup}, a phase name, or {@code drain} after the last send
 * @param elapsed time since the first send (warm-up included)
 * @param total warm-up plus every phase
 * @param currentRps requests sent per second over the last interval
 * @param p99Micros latency p99 of the requests completed in the last interval (warm-up included)
 * @param errors failed requests so far (warm-up included)
 */
public record Progress(
    String target,
    int trial,
    String phase,
    Duration elapsed,
    Duration total,
    double currentRps,
    long p99Micros,
    long errors) {

  /** A one-line status: {@code reference#1 steady 12.0/20.0s 300.0 req/s p99 4.21ms errors 0}. */
  public String statusLine() {
    return String.format(
        Locale.ROOT,
        "%s#%d %s %.1f/%.1fs %.1f req/s p99 %s errors %d",
        target,
        trial,
        phase,
        elapsed.toNanos() / 1e9,
        total.toNanos() / 1e9,
        currentRps,
        Durations.formatMicros(p99Micros),
        errors);
  }
}
