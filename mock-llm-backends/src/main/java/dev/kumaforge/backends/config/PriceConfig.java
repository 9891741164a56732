package dev.kumaforge.backends.config;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;

/**
 * Price of a model in US dollars per million tokens.
 *
 * @param input USD per million prompt (input) tokens, default 0
 * @param output USD per million completion (output) tokens, default 0
 */
public record PriceConfig(Double input, Double output) implements Validatable {
  /** Applies defaults. */
  public PriceConfig {
    input = input == null ? 0.0 : input;
    output = output == null ? 0.0 : output;
  }

  /** A free model. */
  public static PriceConfig free() {
    return new PriceConfig(0.0, 0.0);
  }

  /** Cost in USD of the given token counts. */
  public double cost(long promptTokens, long completionTokens) {
    return (promptTokens * input + completionTokens * output) / 1_000_000.0;
  }

  @Override
  public void validate(Validator v) {
    v.check(input >= 0 && Double.isFinite(input), "input", input, ">= 0");
    v.check(output >= 0 && Double.isFinite(output), "output", output, ">= 0");
  }
}
