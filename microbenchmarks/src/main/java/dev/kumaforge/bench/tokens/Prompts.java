package dev.kumaforge.bench.tokens;

import java.util.Locale;

/**
 * Deterministic prompts for token counting: a short chat message and a long mixed prompt (prose,
 * code, JSON and numbers, about 16,000 characters, several thousand tokens).
 */
public final class Prompts {
  /** A typical short user message. */
  public static final String SHORT =
      "Summarize the following support ticket in two sentences and suggest a priority level.";

  /** A long prompt of prose, Java code, JSON tool output and numbers. */
  public static final String LONG = longPrompt(16_000);

  private Prompts() {}

  /** Builds a prompt of at least {@code chars} characters; the same text every time. */
  static String longPrompt(int chars) {
    String[] parts = {
      "You are a careful assistant for an API gateway team. The gateway routes requests to"
          + " several LLM providers, applies rate limits per tenant, and ejects endpoints that"
          + " fail repeatedly. Answer precisely and cite the configuration keys you rely on.\n",
      "public final class Retry {\n  private final int maxAttempts;\n  Retry(int maxAttempts) {"
          + " this.maxAttempts = Math.max(1, maxAttempts); }\n  boolean shouldRetry(int attempt,"
          + " int status) { return attempt < maxAttempts && (status == 503 || status == 429);"
          + " }\n}\n",
      "{\"model\": \"gpt-4o-mini\", \"usage\": {\"prompt_tokens\": %d, \"completion_tokens\": %d},"
          + " \"latency_ms\": %.2f, \"region\": \"eu-west-%d\", \"cached\": %b}\n",
      "Customer ticket #%d: since the upgrade on 2026-03-%02d, streaming responses stop after"
          + " roughly %d tokens and the client reports a timeout. Über-long prompts (naïve"
          + " retries, café-style batching) seem to make it worse; error rate ≈ %d%%.\n",
    };
    StringBuilder b = new StringBuilder(chars + 512);
    int i = 0;
    while (b.length() < chars) {
      String p = parts[i % parts.length];
      b.append(
          switch (i % parts.length) {
            case 2 ->
                String.format(
                    Locale.ROOT, p, 100 + i * 7, 20 + i % 300, 12.5 + i * 0.37, i % 4, i % 2 == 0);
            case 3 -> String.format(Locale.ROOT, p, 40_000 + i, 1 + i % 28, 256 + i * 3, i % 17);
            default -> p;
          });
      i++;
    }
    return b.toString();
  }
}
