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
   * @param terminal the stream's proper end: OpenAI's {@code [DONE]} or Anthropic's {@code
   *     message_stop}
   * @param error an in-band error: an {@code error} event or a top-level {@code error} object
   */
  public record Info(boolean content, long outputTokens, boolean terminal, boolean error) {
    static final Info NOTHING = new Info(false, -1, false, false);
    static final Info DONE = new Info(false, -1, true, false);

    /** An event that carries content and/or a token count. */
    public Info(boolean content, long outputTokens) {
      this(content, outputTokens, false, false);
    }
  }

  /**
   * Classifies one SSE event. OpenAI: {@code choices[].delta.content} (or {@code
   * reasoning_content}) is content, {@code usage.completion_tokens} counts; Anthropic: {@code
   * content_block_delta} with text is content, {@code usage.output_tokens} counts. {@code [DONE]}
   * and unparsable data carry nothing.
   */
  public static Info classify(String data) {
    if (data.equals("[DONE]")) {
      return Info.DONE;
    }
    if (data.isEmpty() || data.charAt(0) != '{') {
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
    String type = node.path("type").asText();
    boolean error = "error".equals(type) || node.path("error").isObject();
    return new Info(content, tokens, "message_stop".equals(type), error);
  }

  /**
   * The generated text one event carries: OpenAI's {@code choices[0].delta.content}, Anthropic's
   * {@code content_block_delta} {@code delta.text}; empty for every other event.
   */
  public static String text(String data) {
    if (data.isEmpty() || data.charAt(0) != '{') {
      return "";
    }
    JsonNode node;
    try {
      node = JSON.readTree(data);
    } catch (JsonProcessingException e) {
      return "";
    }
    JsonNode choices = node.get("choices");
    if (choices != null && choices.isArray() && !choices.isEmpty()) {
      return choices.get(0).path("delta").path("content").asText("");
    }
    if ("content_block_delta".equals(node.path("type").asText())) {
      return node.path("delta").path("text").asText("");
    }
    return "";
  }

  private static boolean hasText(JsonNode n) {
    return n != null && n.isTextual() && !n.asText().isEmpty();
  }
}
