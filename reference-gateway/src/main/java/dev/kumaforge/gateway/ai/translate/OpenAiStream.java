package dev.kumaforge.gateway.ai.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * OpenAI upstream to OpenAI client: frames pass through byte for byte, except the usage chunk the
 * gateway asked for on the client's behalf, which is read and not forwarded.
 */
public final class OpenAiStream implements StreamTranslator {
  private static final Frame DONE = Frame.data("[DONE]", false);

  private final boolean clientWantsUsage;
  private final Wire.MessageBuilder message = new Wire.MessageBuilder();
  private Usage usage;
  private boolean finished;
  private String error;
  private int contentEvents;

  /** {@code clientWantsUsage}: the client set stream_options.include_usage itself. */
  public OpenAiStream(boolean clientWantsUsage) {
    this.clientWantsUsage = clientWantsUsage;
  }

  @Override
  public List<Frame> onEvent(SseFramer.Event event) {
    String data = event.data();
    if ("[DONE]".equals(data)) {
      if (error != null) {
        return List.of();
      }
      finished = true;
      return List.of(DONE);
    }
    JsonNode n = Wire.parse(data);
    if (n == null) {
      error = "the provider sent a chunk that is not JSON";
      return List.of();
    }
    if (n.has("error")) {
      error = n.path("error").path("message").asText("provider error");
      return List.of();
    }
    boolean content = false;
    JsonNode choices = n.path("choices");
    if (choices.isArray() && choices.size() > 0) {
      JsonNode delta = choices.get(0).path("delta");
      if (delta.path("content").isTextual() && !delta.get("content").asText().isEmpty()) {
        message.text.append(delta.get("content").asText());
        content = true;
      }
      if (delta.path("tool_calls").isArray()) {
        for (JsonNode tc : delta.get("tool_calls")) {
          int index = tc.path("index").asInt(0);
          message.tool(
              index,
              tc.path("id").isTextual() ? tc.get("id").asText() : null,
              tc.path("function").path("name").isTextual()
                  ? tc.get("function").get("name").asText()
                  : null);
          String args = tc.path("function").path("arguments").asText("");
          message.arguments(index, args);
          content = true;
        }
      }
    }
    if (content) {
      contentEvents++;
    }
    JsonNode u = n.path("usage");
    if (u.isObject()) {
      usage = new Usage(u.path("prompt_tokens").asLong(), u.path("completion_tokens").asLong());
      if (!clientWantsUsage && (!choices.isArray() || choices.size() == 0)) {
        return List.of();
      }
    }
    return List.of(Frame.data(data, content));
  }

  @Override
  public Frame errorFrame(String msg) {
    return Frame.data(Wire.openAiError(msg, "server_error", "stream_failed"), false);
  }

  @Override
  public boolean finished() {
    return finished;
  }

  @Override
  public String upstreamError() {
    return error;
  }

  @Override
  public Usage usage() {
    return usage;
  }

  @Override
  public ObjectNode assistantMessage() {
    return message.build();
  }

  @Override
  public int contentEvents() {
    return contentEvents;
  }
}
