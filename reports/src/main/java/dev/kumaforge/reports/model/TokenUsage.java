package dev.kumaforge.reports.model;

/** LLM tokens consumed, summed over requests (from {@code result.json}'s {@code usage}). */
public record TokenUsage(long promptTokens, long completionTokens) {
  /** The sum of both. */
  public TokenUsage plus(TokenUsage o) {
    return o == null
        ? this
        : new TokenUsage(promptTokens + o.promptTokens, completionTokens + o.completionTokens);
  }
}
