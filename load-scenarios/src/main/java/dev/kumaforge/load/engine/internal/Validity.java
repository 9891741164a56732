package dev.kumaforge.load.engine.internal;

import java.util.Locale;
import java.util.Optional;

/**
 * The rules that make a run invalid: the generator could not keep its schedule or could not send
 * what it intended. A run that breaks one is reported as invalid, never as a result.
 */
public final class Validity {
  private Validity() {}

  /**
   * The reason the run is invalid, or empty when it is valid.
   *
   * @param finished whether every request completed before the run's deadline
   * @param intended measured sends in the schedule
   * @param attempted measured sends dispatched
   * @param unsent measured requests that timed out waiting for a connection
   * @param maxConnections the pool cap
   * @param lagP99Micros the generator's lag p99
   * @param maxLagMicros the allowed lag p99
   */
  public static Optional<String> invalidReason(
      boolean finished,
      long intended,
      long attempted,
      long unsent,
      int maxConnections,
      long lagP99Micros,
      long maxLagMicros) {
    if (!finished) {
      return Optional.of(
          "the run did not finish: requests were still in flight after the schedule and the timeout");
    }
    if (attempted < intended) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "the generator sent only %d of the %d intended requests",
              attempted,
              intended));
    }
    if (unsent > 0) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "%d requests timed out before they could be sent: no connection was free (at most %d;"
                  + " raise workload.maxConnections or check that the target accepts connections)",
              unsent,
              maxConnections));
    }
    if (lagP99Micros > maxLagMicros) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "the generator could not keep its schedule: send lag p99 was %.1f ms, above"
                  + " workload.maxLag %.1f ms",
              lagP99Micros / 1000.0,
              maxLagMicros / 1000.0));
    }
    return Optional.empty();
  }
}
