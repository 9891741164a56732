package dev.kumaforge.gateway.ai.translate;

/**
 * Token usage reported by a provider.
 *
 * @param promptTokens input tokens
 * @param completionTokens output tokens
 */
public record Usage(long promptTokens, long completionTokens) {
  /** Prompt + completion. */
  public long total() {
    return promptTokens + completionTokens;
  }
}
