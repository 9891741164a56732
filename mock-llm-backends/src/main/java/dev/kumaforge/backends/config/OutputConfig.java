package dev.kumaforge.backends.config;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;

/**
 * What a model answers: how many tokens and which words.
 *
 * <p>The length is drawn from {@code distribution} (mean {@code tokens}, standard deviation {@code
 * tokensStddev}) and capped by the request's max tokens; {@code maxTokens} answers exactly the
 * request's max tokens. The answer cycles through the words of {@code text}, one word per token.
 *
 * @param tokens mean output length in tokens, default 16
 * @param tokensStddev standard deviation of the output length, default 0
 * @param distribution constant, normal, lognormal or maxTokens, default constant
 * @param text the words the answer is made of, default a short English sentence
 * @param toolCallRate probability of answering with a tool call when the request offers tools
 *     (tool_choice "required" or a named tool forces it, "none" prevents it), default 0
 */
public record OutputConfig(
    Integer tokens,
    Integer tokensStddev,
    Distribution distribution,
    String text,
    Double toolCallRate)
    implements Validatable {

  /** The default answer text. */
  public static final String DEFAULT_TEXT =
      "Hello from the Kuma forge mock backend. This answer is simulated.";

  /** Applies defaults. */
  public OutputConfig {
    tokens = tokens == null ? 16 : tokens;
    tokensStddev = tokensStddev == null ? 0 : tokensStddev;
    distribution = distribution == null ? Distribution.CONSTANT : distribution;
    text = text == null ? DEFAULT_TEXT : text;
    toolCallRate = toolCallRate == null ? 0.0 : toolCallRate;
  }

  /** The defaults. */
  public static OutputConfig defaults() {
    return new OutputConfig(null, null, null, null, null);
  }

  @Override
  public void validate(Validator v) {
    v.check(tokens >= 1 && tokens <= 1_000_000, "tokens", tokens, "1 .. 1000000");
    v.check(tokensStddev >= 0, "tokensStddev", tokensStddev, ">= 0");
    v.check(!text.isBlank(), "text", "''", "a non-blank text");
    v.check(toolCallRate >= 0 && toolCallRate <= 1, "toolCallRate", toolCallRate, "0 .. 1");
  }
}
