package dev.kumaforge.gateway.ai.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Anthropic events to OpenAI chunks, one chunk per content event: message_start -> role chunk,
 * tool_use block start -> tool call header, text_delta -> content, input_json_delta -> arguments,
 * message_delta -> finish_reason (+ usage chunk when asked), message_stop -> [DONE].
 */
public final class AnthropicToOpenAiStream implements StreamTranslator {
  private final boolean clientWantsUsage;
  private final long created;
  private final Wire.MessageBuilder message = new Wire.MessageBuilder();
  private final AnthropicUsage usage = new AnthropicUsage();
  private final Map<Integer, Integer> toolIndex = new HashMap<>();
  private String id = "chatcmpl-gw";
  private String model = "";
  private boolean finished;
  private String error;
  private int contentEvents;

  /** {@code created}: epoch seconds for the chunks. */
  public AnthropicToOpenAiStream(boolean clientWantsUsage, long created) {
    this.clientWantsUsage = clientWantsUsage;
    this.created = created;
  }

  /** Updates message and usage from one Anthropic event; returns whether it carried content. */
  static boolean track(String type, JsonNode n, Wire.MessageBuilder m, AnthropicUsage u) {
    switch (type) {
      case "message_start" -> {
        JsonNode usage = n.path("message").path("usage");
        u.input = usage.path("input_tokens").asLong(0);
        return false;
      }
      case "content_block_start" -> {
        JsonNode b = n.path("content_block");
        if ("tool_use".equals(b.path("type").asText())) {
          m.tool(m.tools.size(), b.path("id").asText(), b.path("name").asText());
          return true;
        }
        return false;
      }
      case "content_block_delta" -> {
        JsonNode d = n.path("delta");
        if ("text_delta".equals(d.path("type").asText())) {
          m.text.append(d.path("text").asText());
          return true;
        }
        if ("input_json_delta".equals(d.path("type").asText())) {
          m.arguments(Math.max(0, m.tools.size() - 1), d.path("partial_json").asText());
          return true;
        }
        return false;
      }
      case "message_delta" -> {
        u.output = n.path("usage").path("output_tokens").asLong(0);
        return false;
      }
      default -> {
        return false;
      }
    }
  }

  /** Anthropic stop_reason to OpenAI finish_reason. */
  public static String finishReason(String stopReason) {
    return switch (stopReason == null ? "" : stopReason) {
      case "max_tokens" -> "length";
      case "tool_use" -> "tool_calls";
      case "refusal" -> "content_filter";
      default -> "stop";
    };
  }

  private ObjectNode chunk() {
    ObjectNode c = Wire.F.objectNode();
    c.put("id", id);
    c.put("object", "chat.completion.chunk");
    c.put("created", created);
    c.put("model", model);
    return c;
  }

  private ObjectNode choice(ObjectNode chunk, String finishReason) {
    ObjectNode ch = chunk.putArray("choices").addObject();
    ch.put("index", 0);
    ObjectNode delta = ch.putObject("delta");
    ch.putNull("logprobs");
    if (finishReason == null) {
      ch.putNull("finish_reason");
    } else {
      ch.put("finish_reason", finishReason);
    }
    return delta;
  }

  @Override
  public List<Frame> onEvent(SseFramer.Event event) {
    JsonNode n = Wire.parse(event.data());
    if (n == null) {
      error = "the provider sent an event that is not JSON";
      return List.of();
    }
    String type = n.path("type").asText(event.event() == null ? "" : event.event());
    int toolsBefore = message.tools.size();
    boolean content = track(type, n, message, usage);
    switch (type) {
      case "message_start" -> {
        JsonNode m = n.path("message");
        id = "chatcmpl-" + m.path("id").asText("gw");
        model = m.path("model").asText("");
        ObjectNode c = chunk();
        ObjectNode d = choice(c, null);
        d.put("role", "assistant");
        d.put("content", "");
        return List.of(Frame.data(c.toString(), false));
      }
      case "content_block_start" -> {
        if (message.tools.size() > toolsBefore) {
          int index = message.tools.size() - 1;
          toolIndex.put(n.path("index").asInt(), index);
          ObjectNode c = chunk();
          ObjectNode tc = choice(c, null).putArray("tool_calls").addObject();
          tc.put("index", index);
          tc.put("id", message.tools.get(index)[0]);
          tc.put("type", "function");
          ObjectNode f = tc.putObject("function");
          f.put("name", message.tools.get(index)[1]);
          f.put("arguments", "");
          contentEvents++;
          return List.of(Frame.data(c.toString(), true));
        }
        return List.of();
      }
      case "content_block_delta" -> {
        if (!content) {
          return List.of();
        }
        contentEvents++;
        JsonNode d = n.path("delta");
        ObjectNode c = chunk();
        ObjectNode delta = choice(c, null);
        if ("text_delta".equals(d.path("type").asText())) {
          delta.put("content", d.path("text").asText());
        } else {
          ArrayNode calls = delta.putArray("tool_calls");
          ObjectNode tc = calls.addObject();
          tc.put(
              "index", toolIndex.getOrDefault(n.path("index").asInt(), message.tools.size() - 1));
          tc.putObject("function").put("arguments", d.path("partial_json").asText());
        }
        return List.of(Frame.data(c.toString(), true));
      }
      case "message_delta" -> {
        ObjectNode c = chunk();
        choice(c, finishReason(n.path("delta").path("stop_reason").asText(null)));
        return List.of(Frame.data(c.toString(), false));
      }
      case "message_stop" -> {
        finished = true;
        Usage u = usage.usage();
        if (clientWantsUsage && u != null) {
          ObjectNode c = chunk();
          c.putArray("choices");
          ObjectNode uj = c.putObject("usage");
          uj.put("prompt_tokens", u.promptTokens());
          uj.put("completion_tokens", u.completionTokens());
          uj.put("total_tokens", u.total());
          return List.of(Frame.data(c.toString(), false), Frame.data("[DONE]", false));
        }
        return List.of(Frame.data("[DONE]", false));
      }
      case "error" -> {
        error = n.path("error").path("message").asText("provider error");
        return List.of();
      }
      default -> {
        return List.of();
      }
    }
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
