package dev.kumaforge.backends.config;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * One fault, from YAML ({@code providers[i].faults}) or from {@code PUT /admin/faults}.
 *
 * @param type the fault kind, required
 * @param rate probability that a request is affected, 0 .. 1, default 1 (ignored by freeze)
 * @param model only requests for this model are affected, default all models
 * @param duration freeze length, latency spike or stall; required for freeze, latency,
 *     stallBeforeHeaders, slowHeaders and stallMidStream
 * @param status HTTP status of an injected error (400 .. 599), default 500
 * @param afterTokens tokens sent before a mid-stream fault strikes, default 1
 */
public record FaultSpec(
    FaultType type,
    Double rate,
    String model,
    Duration duration,
    Integer status,
    Integer afterTokens)
    implements Validatable {

  private static final Set<FaultType> NEED_DURATION =
      EnumSet.of(
          FaultType.FREEZE,
          FaultType.LATENCY,
          FaultType.STALL_BEFORE_HEADERS,
          FaultType.SLOW_HEADERS,
          FaultType.STALL_MID_STREAM);

  /** Applies defaults. */
  public FaultSpec {
    rate = rate == null ? 1.0 : rate;
    status = status == null ? 500 : status;
    afterTokens = afterTokens == null ? 1 : afterTokens;
  }

  /** A freeze of the whole provider for {@code duration}. */
  public static FaultSpec freeze(Duration duration) {
    return new FaultSpec(FaultType.FREEZE, null, null, duration, null, null);
  }

  @Override
  public void validate(Validator v) {
    if (!v.required(type, "type")) {
      return;
    }
    v.check(rate >= 0 && rate <= 1, "rate", rate, "0 .. 1");
    v.check(status >= 400 && status <= 599, "status", status, "400 .. 599");
    v.check(afterTokens >= 0, "afterTokens", afterTokens, ">= 0");
    if (NEED_DURATION.contains(type) && v.required(duration, "duration")) {
      v.check(!duration.isNegative() && !duration.isZero(), "duration", duration, "> 0");
    }
  }
}
