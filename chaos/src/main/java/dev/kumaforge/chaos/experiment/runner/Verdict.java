package dev.kumaforge.chaos.experiment.runner;

import dev.kumaforge.common.process.ExitCodes;
import java.util.List;

/**
 * The result of a run.
 *
 * @param outcome passed, failed or aborted
 * @param reasons why it did not pass (empty when it passed)
 * @param steps what was measured per step
 */
public record Verdict(Outcome outcome, List<String> reasons, List<StepMeasurement> steps) {

  /** The outcome of a run. */
  public enum Outcome {
    /** The hypothesis held where it had to and recovered in time. */
    PASSED,
    /** The hypothesis was violated, did not recover, or an action failed. */
    FAILED,
    /** Stopped by the user (Ctrl-C); rollbacks ran. */
    ABORTED;

    /** The process exit code. */
    public int exitCode() {
      return this == PASSED ? ExitCodes.OK : ExitCodes.FAILED;
    }
  }

  /**
   * What was measured for one step.
   *
   * @param step the step name
   * @param onsetMillis from the step start to the first probe round that failed (the proof that the
   *     fault took effect); null if no round failed
   * @param violatingRounds probe rounds that failed between the step start and its end
   * @param recoveryMillis from the step end to the first round where every probe held; null if it
   *     never held again
   */
  public record StepMeasurement(
      String step, Long onsetMillis, int violatingRounds, Long recoveryMillis) {}
}
