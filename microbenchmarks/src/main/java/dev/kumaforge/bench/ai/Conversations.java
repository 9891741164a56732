package dev.kumaforge.bench.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic synthetic conversations: a system prompt, then user/assistant turns. */
final class Conversations {
  private static final String[] WORDS = {
    "latency",
    "gateway",
    "budget",
    "token",
    "window",
    "retry",
    "circuit",
    "stream",
    "model",
    "provider",
    "fallback",
    "capacity",
    "percentile",
    "throughput",
    "replica",
    "session",
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "is",
    "for",
    "with",
    "on",
    "we",
    "measure",
    "under",
    "load"
  };

  private Conversations() {}

  /**
   * A conversation of {@code turns} user/assistant pairs after one system message; every {@code
   * toolEvery}-th turn (0: never) answers with a tool call and its tool result.
   */
  static List<JsonNode> build(int turns, int wordsPerMessage, int toolEvery, long seed) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    SplittableRandom rnd = new SplittableRandom(seed);
    List<JsonNode> messages = new ArrayList<>(2 * turns + 1 + (toolEvery > 0 ? turns : 0));
    messages.add(message(f, "system", "You are a careful assistant for SREs."));
    for (int t = 0; t < turns; t++) {
      messages.add(message(f, "user", words(rnd, wordsPerMessage)));
      if (toolEvery > 0 && t % toolEvery == toolEvery - 1) {
        ObjectNode call = f.objectNode();
        call.put("role", "assistant");
        call.putNull("content");
        ArrayNode calls = call.putArray("tool_calls");
        ObjectNode c = calls.addObject();
        c.put("id", "call_" + t);
        c.put("type", "function");
        c.putObject("function").put("name", "lookup").put("arguments", "{\"q\":\"p99\"}");
        messages.add(call);
        ObjectNode result = message(f, "tool", words(rnd, wordsPerMessage / 2));
        result.put("tool_call_id", "call_" + t);
        messages.add(result);
      }
      messages.add(message(f, "assistant", words(rnd, wordsPerMessage)));
    }
    return messages;
  }

  private static ObjectNode message(JsonNodeFactory f, String role, String content) {
    ObjectNode m = f.objectNode();
    m.put("role", role);
    m.put("content", content);
    return m;
  }

  private static String words(SplittableRandom rnd, int n) {
    StringBuilder sb = new StringBuilder(n * 8);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(WORDS[rnd.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }
}
