package dev.kumaforge.backends.config;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;

/**
 * Provider rate limits per API key, as token buckets refilled continuously.
 *
 * <p>A request costs 1 request and (prompt tokens + max tokens, or the planned output when the
 * request sets no max) tokens. Over a limit: 429 with {@code Retry-After} and the provider's
 * rate-limit headers; every answer carries those headers while limits are set.
 *
 * @param rpm requests per minute per API key, 0 = unlimited (default)
 * @param tpm tokens per minute per API key, 0 = unlimited (default)
 */
public record LimitsConfig(Integer rpm, Integer tpm) implements Validatable {
  /** Applies defaults. */
  public LimitsConfig {
    rpm = rpm == null ? 0 : rpm;
    tpm = tpm == null ? 0 : tpm;
  }

  /** No limits. */
  public static LimitsConfig none() {
    return new LimitsConfig(null, null);
  }

  /** Whether any limit is set. */
  public boolean any() {
    return rpm > 0 || tpm > 0;
  }

  @Override
  public void validate(Validator v) {
    v.check(rpm >= 0, "rpm", rpm, ">= 0 (0 = unlimited)");
    v.check(tpm >= 0, "tpm", tpm, ">= 0 (0 = unlimited)");
  }
}
