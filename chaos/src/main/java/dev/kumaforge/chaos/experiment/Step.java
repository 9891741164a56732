package dev.kumaforge.chaos.experiment;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.time.Duration;

/**
 * A step of the method timeline.
 *
 * @param name unique name (default {@code step-<index>}), used in events and measurements
 * @param at offset from the start of the method, required
 * @param duration how long the fault lasts; the action is then stopped (reverted). Absent: a
 *     one-shot action (kill without restart, reload, reset)
 * @param action what to do, required
 */
public record Step(String name, Duration at, Duration duration, Action action)
    implements Validatable {

  @Override
  public void validate(Validator v) {
    if (v.required(at, "at")) {
      v.check(!at.isNegative(), "at", at, ">= 0");
    }
    if (duration != null) {
      v.check(!duration.isNegative() && !duration.isZero(), "duration", duration, "> 0");
    }
    if (v.required(action, "action")) {
      action.validate(v.at("action"));
    }
  }

  /** When the step ends: {@code at + duration}, or {@code at} for a one-shot action. */
  public Duration end() {
    return duration == null ? at : at.plus(duration);
  }
}
