package dev.kumaforge.backends.config;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.time.Duration;

/**
 * Timing of one model: time to first token (TTFT) and inter-token latency (ITL).
 *
 * <p>TTFT = {@code prefillOverhead} + prompt tokens x {@code prefillPerToken}, multiplied by a
 * normal factor {@code 1 + N(0, prefillSpread)} (truncated at 0). Each following token arrives
 * after an ITL drawn from {@code interTokenDistribution} with mean {@code interToken} and standard
 * deviation {@code interTokenStddev}. A non-streaming answer is sent after TTFT + all ITLs.
 *
 * @param prefillOverhead fixed part of TTFT, default 0ms
 * @param prefillPerToken TTFT added per prompt token, default 0us
 * @param prefillSpread relative standard deviation of TTFT, default 0
 * @param interToken mean inter-token latency, default 0ms
 * @param interTokenStddev standard deviation of the inter-token latency, default 0ms
 * @param interTokenDistribution constant, normal or lognormal, default constant
 */
public record LatencyConfig(
    Duration prefillOverhead,
    Duration prefillPerToken,
    Double prefillSpread,
    Duration interToken,
    Duration interTokenStddev,
    Distribution interTokenDistribution)
    implements Validatable {

  /** Applies defaults. */
  public LatencyConfig {
    prefillOverhead = prefillOverhead == null ? Duration.ZERO : prefillOverhead;
    prefillPerToken = prefillPerToken == null ? Duration.ZERO : prefillPerToken;
    prefillSpread = prefillSpread == null ? 0.0 : prefillSpread;
    interToken = interToken == null ? Duration.ZERO : interToken;
    interTokenStddev = interTokenStddev == null ? Duration.ZERO : interTokenStddev;
    interTokenDistribution =
        interTokenDistribution == null ? Distribution.CONSTANT : interTokenDistribution;
  }

  /** No latency at all. */
  public static LatencyConfig zero() {
    return new LatencyConfig(null, null, null, null, null, null);
  }

  @Override
  public void validate(Validator v) {
    v.check(!prefillOverhead.isNegative(), "prefillOverhead", prefillOverhead, ">= 0");
    v.check(!prefillPerToken.isNegative(), "prefillPerToken", prefillPerToken, ">= 0");
    v.check(prefillSpread >= 0 && prefillSpread <= 10, "prefillSpread", prefillSpread, "0 .. 10");
    v.check(!interToken.isNegative(), "interToken", interToken, ">= 0");
    v.check(!interTokenStddev.isNegative(), "interTokenStddev", interTokenStddev, ">= 0");
    v.check(
        interTokenDistribution != Distribution.MAX_TOKENS,
        "interTokenDistribution",
        interTokenDistribution,
        "constant, normal or lognormal");
    v.check(
        interTokenDistribution != Distribution.LOGNORMAL || !interToken.isZero(),
        "interToken",
        interToken,
        "> 0 for a lognormal distribution");
  }
}
