package dev.kumaforge.load.scenario;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.common.units.Rate;
import java.time.Duration;

/**
 * One phase of a workload.
 *
 * @param name unique within the workload; lowercase letters, digits, dashes
 * @param type the rate shape (default {@code constant})
 * @param rate for {@code constant}: requests per second
 * @param from for {@code ramp} and {@code step}: the starting rate
 * @param to for {@code ramp} and {@code step}: the final rate
 * @param steps for {@code step}: how many equal-length steps (at least 2)
 * @param duration how long the phase lasts
 */
public record Phase(
    String name, PhaseType type, Rate rate, Rate from, Rate to, Integer steps, Duration duration)
    implements Validatable {

  public Phase {
    type = type == null ? PhaseType.CONSTANT : type;
  }

  /** A constant-rate phase. */
  public static Phase constant(String name, Rate rate, Duration duration) {
    return new Phase(name, PhaseType.CONSTANT, rate, null, null, null, duration);
  }

  /** A linear ramp from {@code from} to {@code to}. */
  public static Phase ramp(String name, Rate from, Rate to, Duration duration) {
    return new Phase(name, PhaseType.RAMP, null, from, to, null, duration);
  }

  /** {@code steps} constant steps from {@code from} to {@code to}. */
  public static Phase step(String name, Rate from, Rate to, int steps, Duration duration) {
    return new Phase(name, PhaseType.STEP, null, from, to, steps, duration);
  }

  /** The rate at the start of the phase. */
  public Rate startRate() {
    return type == PhaseType.CONSTANT ? rate : from;
  }

  /** The rate at the end of the phase. */
  public Rate endRate() {
    return type == PhaseType.CONSTANT ? rate : to;
  }

  /** Expected requests in the phase. */
  public double expectedRequests() {
    double seconds = duration.toNanos() / 1e9;
    return switch (type) {
      case CONSTANT -> rate == null ? 0 : rate.perSecond() * seconds;
      case RAMP -> (from.perSecond() + to.perSecond()) / 2 * seconds;
      case STEP -> (from.perSecond() + to.perSecond()) / 2 * seconds;
    };
  }

  @Override
  public void validate(Validator v) {
    validate(v, false);
  }

  /** Validates; in a closed-loop workload a constant phase has no rate and others are refused. */
  public void validate(Validator v, boolean closedLoop) {
    if (closedLoop) {
      if (type != PhaseType.CONSTANT) {
        v.error("type", type + " (expected: constant in a closed-loop workload)");
      }
      forbid(v, rate, "rate", "a closed-loop workload (its rate is set by concurrency)");
    }
    if (v.required(name, "name")) {
      v.check(Scenario.NAME.matcher(name).matches(), "name", name, Scenario.NAME_EXPECTED);
    }
    if (v.required(duration, "duration")) {
      v.check(!duration.isNegative() && !duration.isZero(), "duration", duration, "> 0");
    }
    switch (type) {
      case CONSTANT -> {
        if (!closedLoop && v.required(rate, "rate")) {
          v.check(rate.perSecond() > 0, "rate", rate, "> 0");
        }
        forbid(v, from, "from");
        forbid(v, to, "to");
        forbid(v, steps, "steps");
      }
      case RAMP, STEP -> {
        forbid(v, rate, "rate");
        boolean both = v.required(from, "from") & v.required(to, "to");
        if (both) {
          v.check(from.perSecond() > 0 || to.perSecond() > 0, "to", to, "> 0 when from is 0");
        }
        if (type == PhaseType.STEP) {
          if (v.required(steps, "steps")) {
            v.check(steps >= 2 && steps <= 10_000, "steps", steps, "2 to 10000");
          }
        } else {
          forbid(v, steps, "steps");
        }
      }
    }
  }

  private void forbid(Validator v, Object value, String key) {
    forbid(v, value, key, "a " + type + " phase");
  }

  private static void forbid(Validator v, Object value, String key, String where) {
    if (value != null) {
      v.error(key, "not allowed in " + where);
    }
  }
}
