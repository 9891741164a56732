package dev.kumaforge.gateway.ai.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Anthropic upstream to an Anthropic client ({@code /v1/messages}): events pass through. */
public final class AnthropicPassthroughStream implements StreamTranslator {
  private final Wire.MessageBuilder message = new Wire.MessageBuilder();
  private final AnthropicUsage usage = new AnthropicUsage();
  private boolean finished;
  private String error;
  private int contentEvents;

  @Override
  public List<Frame> onEvent(SseFramer.Event event) {
    JsonNode n = Wire.parse(event.data());
    if (n == null) {
      error = "the provider sent an event that is not JSON";
      return List.of();
    }
    String type = n.path("type").asText(event.event() == null ? "" : event.event());
    boolean content = AnthropicToOpenAiStream.track(type, n, message, usage);
    if ("error".equals(type)) {
      error = n.path("error").path("message").asText("provider error");
      return List.of();
    }
    if ("message_stop".equals(type)) {
      finished = true;
    }
    if (content) {
      contentEvents++;
    }
    return List.of(
        Frame.event(event.event() == null ? type : event.event(), event.data(), content));
  }

  @Override
  public Frame errorFrame(String msg) {
    return Frame.event("error", Wire.anthropicError(msg, "api_error"), false);
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
    return usage.usage();
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
