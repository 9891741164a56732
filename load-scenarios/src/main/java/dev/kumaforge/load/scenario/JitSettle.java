package dev.kumaforge.load.scenario;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.time.Duration;

/**
 * Settling a JVM target's JIT before each of its trials: the harness drives the target in rounds at
 * the first phase's rate (the first round after the workload's warm-up) and watches the CPU of its
 * JIT compiler threads ({@code C1/C2 CompilerThread} in {@code /proc/<pid>/task}); once a round's
 * compiler CPU is below {@code quiet} of one core the trial's own warm-up and measured phases run.
 * A JVM measured while it still compiles pays for the compiler on the cores it shares with the load
 * and the backends; a native peer never does.
 *
 * @param round length of one round (default 10s, at least 2s)
 * @param quiet settled when the compiler threads used less than this share of one core during a
 *     round (default 1%)
 * @param max most settling time per trial; when reached the trial runs anyway and the run says that
 *     the JIT had not settled (default 180s)
 */
public record JitSettle(Duration round, Fraction quiet, Duration max) implements Validatable {
  /** Default round length. */
  public static final Duration DEFAULT_ROUND = Duration.ofSeconds(10);

  /** Default quiet share of one core. */
  public static final Fraction DEFAULT_QUIET = new Fraction(0.01);

  /** Default most settling time. */
  public static final Duration DEFAULT_MAX = Duration.ofSeconds(180);

  public JitSettle {
    round = round == null ? DEFAULT_ROUND : round;
    quiet = quiet == null ? DEFAULT_QUIET : quiet;
    max = max == null ? DEFAULT_MAX : max;
  }

  @Override
  public void validate(Validator v) {
    v.check(round.compareTo(Duration.ofSeconds(2)) >= 0, "round", round, ">= 2s");
    v.check(
        quiet.value() > 0 && quiet.value() <= 0.5,
        "quiet",
        quiet,
        "a share of one core above 0% and at most 50%, e.g. 1%");
    v.check(max.compareTo(round) >= 0, "max", max, ">= round (" + round + ")");
  }
}
