package dev.kumaforge.harness.capacity;

import java.util.Map;

/**
 * What one open-loop step at a fixed rate measured.
 *
 * @param rateRps the offered rate
 * @param attempted requests scheduled in the measured time
 * @param completed requests that finished
 * @param errorRate failed / completed
 * @param latencyMicros measured percentiles by key ({@code p50}, {@code p99}, {@code p999}, {@code
 *     max}, {@code ttft_p99}...)
 * @param generatorValid false when the load generator could not keep its own schedule
 */
public record StepOutcome(
    double rateRps,
    long attempted,
    long completed,
    double errorRate,
    Map<String, Long> latencyMicros,
    boolean generatorValid) {

  public StepOutcome {
    latencyMicros = Map.copyOf(latencyMicros);
  }

  /** completed / attempted. */
  public double achievedFraction() {
    return attempted == 0 ? 0 : (double) completed / attempted;
  }
}
