package dev.kumaforge.gateway.ai.context;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kumaforge.gateway.ai.tokens.TokenCounter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrimmerTest {
  static final ObjectMapper M = new ObjectMapper();
  static final TokenCounter COUNTER = new TokenCounter(1000);

  static JsonNode msg(String role, String content) {
    return M.createObjectNode().put("role", role).put("content", content);
  }

  static JsonNode toolCall(String id) {
    ObjectNode m = M.createObjectNode().put("role", "assistant");
    m.putNull("content");
    ObjectNode c = m.putArray("tool_calls").addObject().put("id", id).put("type", "function");
    c.putObject("function").put("name", "lookup").put("arguments", "{\"q\":\"x\"}");
    return m;
  }

  static JsonNode toolResult(String id) {
    return M.createObjectNode()
        .put("role", "tool")
        .put("tool_call_id", id)
        .put("content", "result " + "data ".repeat(20));
  }

  /** 200 turns: user, assistant with a tool call, its result, assistant answer. */
  static List<JsonNode> conversation(int turns) {
    List<JsonNode> ms = new ArrayList<>();
    ms.add(msg("system", "You are a careful assistant."));
    for (int i = 0; i < turns; i++) {
      ms.add(msg("user", "question " + i + " " + "words ".repeat(30)));
      if (i % 3 == 0) {
        ms.add(toolCall("call_" + i));
        ms.add(toolResult("call_" + i));
      }
      ms.add(msg("assistant", "answer " + i + " " + "more ".repeat(20)));
    }
    return ms;
  }

  static Trimmer.Result fit(List<JsonNode> ms, int budget) {
    return Trimmer.fit(
        ms, budget, TokenCounter.REPLY_PRIMING, m -> COUNTER.message("o200k_base", m));
  }

  @Test
  void keepsTheSystemPromptAndToolPairsAndFitsByTheTokenizersCount() {
    List<JsonNode> ms = conversation(200);
    int budget = 4000;
    Trimmer.Result r = fit(ms, budget);
    assertThat(r.dropped()).isPositive();
    assertThat(COUNTER.messages("o200k_base", r.messages())).isEqualTo(r.tokens());
    assertThat(r.tokens()).isLessThanOrEqualTo(budget);
    assertThat(r.messages().get(0).path("role").asText()).isEqualTo("system");
    assertThat(r.messages().get(1).path("role").asText()).isEqualTo("user");
    assertThat(r.messages().get(r.messages().size() - 1)).isEqualTo(ms.get(ms.size() - 1));
    for (int i = 0; i < r.messages().size(); i++) {
      JsonNode m = r.messages().get(i);
      if (m.path("tool_calls").isArray()) {
        assertThat(r.messages().get(i + 1).path("tool_call_id").asText())
            .isEqualTo(m.at("/tool_calls/0/id").asText());
      }
      if ("tool".equals(m.path("role").asText())) {
        assertThat(r.messages().get(i - 1).at("/tool_calls/0/id").asText())
            .isEqualTo(m.path("tool_call_id").asText());
      }
    }
  }

  @Test
  void aConversationThatFitsIsUntouched() {
    List<JsonNode> ms = conversation(3);
    Trimmer.Result r = fit(ms, 100_000);
    assertThat(r.messages()).isEqualTo(ms);
    assertThat(r.dropped()).isZero();
  }

  @Test
  void theNewestTurnIsNeverDropped() {
    List<JsonNode> ms = List.of(msg("system", "s"), msg("user", "x ".repeat(500)));
    Trimmer.Result r = fit(ms, 10);
    assertThat(r.messages()).isEqualTo(ms);
    assertThat(r.tokens()).isGreaterThan(10);
  }

  @Test
  void tokenCountsAreCachedPerMessage() {
    TokenCounter c = new TokenCounter(100);
    JsonNode m = msg("user", "hello there");
    int first = c.message("o200k_base", m);
    assertThat(c.message("o200k_base", msg("user", "hello there"))).isEqualTo(first);
    assertThat(c.hits()).isEqualTo(1);
    assertThat(c.misses()).isEqualTo(1);
    assertThat(first).isEqualTo(TokenCounter.PER_MESSAGE + 1 + 2);
  }
}
