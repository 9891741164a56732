package dev.kumaforge.gateway.ai.context;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A conversation: its owner and its messages (OpenAI style), oldest first.
 *
 * @param consumer the consumer that created it; nobody else may read or extend it
 * @param messages the history
 */
public record Session(String consumer, List<JsonNode> messages) {
  public Session {
    messages = List.copyOf(messages);
  }
}
