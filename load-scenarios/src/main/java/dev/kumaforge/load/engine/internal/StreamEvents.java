package dev.kumaforge.load.engine.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads OpenAI- and Anthropic-style streaming events: whether an event carries generated content,
 * and the output token count its {@code usage} reports.
 */
public final class StreamEvents {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StreamEvents() {}

  /**
   * What one event says.
   *
   * @param content the event carries generated text (a token or more)
   * @param outputTokens the output tokens its top-level {@code usage} reports, or -1
   */
  public record Info(boolean content, long outputTokens) {
    static final Info NOTHING = new Info(false, -1);
  }

  /**
   * Classifies one SSE event. OpenAI: {@code choices[].delta.content} (or {@code
   * reasoning_content}) is content, {@code usage.completion_tokens} counts; Anthropic: {@code
   * content_block_delta} with text is content, {@code usage.output_tokens} counts. {@code [DONE]}
   * and unparsable data carry nothing.
   */
  public static Info classify(String data) {
    if (data.isEmpty() || data.equals("[DONE]") || data.charAt(0) != '{') {
      return Info.NOTHING;
    }
    JsonNode node;
    try {
      node = JSON.readTree(data);
    } catch (JsonProcessingException e) {
      return Info.NOTHING;
    }
    boolean content = false;
    JsonNode choices = node.get("choices");
    if (choices != null && choices.isArray()) {
      for (JsonNode choice : choices) {
        JsonNode delta = choice.get("delta");
        if (delta != null
            && (hasText(delta.get("content")) || hasText(delta.get("reasoning_content")))) {
          content = true;
        }
      }
    }
    if ("content_block_delta".equals(node.path("type").asText())) {
      JsonNode delta = node.get("delta");
      content |=
          delta != null
              && (hasText(delta.get("text"))
                  || hasText(delta.get("partial_json"))
                  || hasText(delta.get("thinking")));
    }
    long tokens = -1;
    JsonNode usage = node.get("usage");
    if (usage != null && usage.isObject()) {
      if (usage.path("completion_tokens").isIntegralNumber()) {
        tokens = usage.get("completion_tokens").asLong();
      } else if (usage.path("output_tokens").isIntegralNumber()) {
        tokens = usage.get("output_tokens").asLong();
      }
    }
    return new Info(content, tokens);
  }

  private static boolean hasText(JsonNode n) {
    return n != null && n.isTextual() && !n.asText().isEmpty();
  }
}
