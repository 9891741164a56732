package dev.kumaforge.gateway.ai.context;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Fits a conversation into a token budget: system messages stay, the oldest turns go first, and an
 * assistant message with tool calls is dropped together with its tool results (whole turns go: a
 * user message and what follows it up to the next one). The newest turn is never dropped.
 */
public final class Trimmer {
  /**
   * The result.
   *
   * @param messages the kept messages, in order
   * @param dropped how many messages were dropped
   * @param tokens the kept messages' tokens (+ reply priming)
   */
  public record Result(List<JsonNode> messages, int dropped, int tokens) {}

  private Trimmer() {}

  /**
   * Trims {@code messages} until their tokens ({@code count} per message + {@code priming}) are at
   * most {@code budget}, when possible.
   */
  public static Result fit(
      List<JsonNode> messages, int budget, int priming, ToIntFunction<JsonNode> count) {
    int[] tokens = new int[messages.size()];
    int total = priming;
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = count.applyAsInt(messages.get(i));
      total += tokens[i];
    }
    if (total <= budget) {
      return new Result(messages, 0, total);
    }
    // turns: a user message and everything up to the next user message (assistant answers,
    // tool calls and their results), so tool pairs go together and the rest starts with a user
    List<int[]> groups = new ArrayList<>();
    int open = -1;
    for (int i = 0; i < tokens.length; i++) {
      JsonNode m = messages.get(i);
      if (isSystem(m)) {
        continue;
      }
      if ("user".equals(m.path("role").asText()) || open < 0) {
        if (open >= 0) {
          groups.add(new int[] {open, i});
        }
        open = i;
      }
    }
    if (open >= 0) {
      groups.add(new int[] {open, tokens.length});
    }
    boolean[] drop = new boolean[tokens.length];
    int dropped = 0;
    for (int g = 0; g < groups.size() - 1 && total > budget; g++) {
      for (int k = groups.get(g)[0]; k < groups.get(g)[1]; k++) {
        if (isSystem(messages.get(k))) {
          continue;
        }
        drop[k] = true;
        total -= tokens[k];
        dropped++;
      }
    }
    List<JsonNode> kept = new ArrayList<>(tokens.length - dropped);
    for (int k = 0; k < tokens.length; k++) {
      if (!drop[k]) {
        kept.add(messages.get(k));
      }
    }
    return new Result(kept, dropped, total);
  }

  private static boolean isSystem(JsonNode m) {
    String role = m.path("role").asText();
    return "system".equals(role) || "developer".equals(role);
  }
}
