package dev.kumaforge.load.gatling.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One virtual user's multi-turn chat: the scenario's request body is the first turn; every answer
 * is appended as an assistant message, followed by the next follow-up as a user message, so each
 * turn's prompt grows like a real conversation's. With a gateway-kept session ({@code
 * sessionHeader}) a turn sends only its new user message and the gateway supplies the history.
 *
 * <pre>
 * turn 1: [system?, user: body's messages]
 * turn 2: [..., assistant: answer 1, user: followUps[0]]      (or only [user: followUps[0]])
 * turn 3: [..., assistant: answer 2, user: followUps[1]]      (follow-ups cycle)
 * </pre>
 */
public final class Conversation {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectNode template;
  private final ArrayNode messages;
  private final List<String> followUps;
  private final boolean gatewayKeepsHistory;
  private int turn;
  private String lastUserText;

  private Conversation(ObjectNode template, List<String> followUps, boolean gatewayKeepsHistory) {
    this.template = template;
    this.messages = template.withArray("messages").deepCopy();
    this.followUps = List.copyOf(followUps);
    this.gatewayKeepsHistory = gatewayKeepsHistory;
  }

  /**
   * A conversation starting with {@code body} (a chat request with a {@code messages} array).
   *
   * @throws IllegalArgumentException when the body is not such a JSON object
   */
  public static Conversation start(
      String body, List<String> followUps, boolean gatewayKeepsHistory) {
    JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "a multi-turn request body must be JSON: " + e.getOriginalMessage(), e);
    }
    if (!(node instanceof ObjectNode o) || !o.path("messages").isArray()) {
      throw new IllegalArgumentException(
          "a multi-turn request body needs a \"messages\" array (chat or messages API)");
    }
    if (followUps.isEmpty()) {
      throw new IllegalArgumentException("a multi-turn conversation needs at least one follow-up");
    }
    return new Conversation(o, followUps, gatewayKeepsHistory);
  }

  /** The body of the current turn. */
  public String body() {
    ObjectNode b = template.deepCopy();
    if (gatewayKeepsHistory && turn > 0) {
      ArrayNode only = b.putArray("messages");
      only.addObject().put("role", "user").put("content", lastUserText);
    } else {
      b.set("messages", messages.deepCopy());
    }
    return b.toString();
  }

  /** Records the answer of the current turn and moves to the next, with the next follow-up. */
  public void answered(String assistantText) {
    messages.addObject().put("role", "assistant").put("content", assistantText);
    lastUserText = followUps.get(turn % followUps.size());
    messages.addObject().put("role", "user").put("content", lastUserText);
    turn++;
  }

  /** Turns answered so far. */
  public int turns() {
    return turn;
  }

  /** Messages the client holds (the whole history, also when the gateway keeps it). */
  public int messageCount() {
    return messages.size();
  }

  /**
   * The assistant text of a non-streamed answer: OpenAI's {@code choices[0].message.content} or
   * Anthropic's text content blocks; empty when the body has none (an error answer).
   */
  public static String answerOf(String responseBody) {
    if (responseBody == null || responseBody.isEmpty()) {
      return "";
    }
    JsonNode node;
    try {
      node = JSON.readTree(responseBody);
    } catch (JsonProcessingException e) {
      return "";
    }
    JsonNode choices = node.path("choices");
    if (choices.isArray() && !choices.isEmpty()) {
      return choices.get(0).path("message").path("content").asText("");
    }
    StringBuilder sb = new StringBuilder();
    for (JsonNode block : node.path("content")) {
      if ("text".equals(block.path("type").asText())) {
        sb.append(block.path("text").asText(""));
      }
    }
    return sb.toString();
  }
}
