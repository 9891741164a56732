package dev.kumaforge.gateway.ai.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** OpenAI chat requests to Anthropic messages requests, and Anthropic answers back. */
public final class Anthropic {
  private Anthropic() {}

  /**
   * The Anthropic request for an OpenAI chat request: system messages -> {@code system}, tool
   * results -> user {@code tool_result} blocks (consecutive ones merged), assistant tool calls ->
   * {@code tool_use} blocks, tools and tool_choice, stop -> stop_sequences.
   */
  public static ObjectNode request(JsonNode openAi, String model, int maxTokens, boolean stream) {
    ObjectNode out = Wire.F.objectNode();
    out.put("model", model);
    out.put("max_tokens", maxTokens);
    StringBuilder system = new StringBuilder();
    ArrayNode messages = Wire.F.arrayNode();
    for (JsonNode m : openAi.path("messages")) {
      String role = m.path("role").asText();
      switch (role) {
        case "system", "developer" -> {
          if (system.length() > 0) {
            system.append("\n\n");
          }
          system.append(text(m.path("content")));
        }
        case "tool" -> {
          ObjectNode block = Wire.F.objectNode();
          block.put("type", "tool_result");
          block.put("tool_use_id", m.path("tool_call_id").asText());
          block.put("content", text(m.path("content")));
          ObjectNode last =
              messages.size() > 0 ? (ObjectNode) messages.get(messages.size() - 1) : null;
          if (last != null
              && "user".equals(last.path("role").asText())
              && last.path("content").isArray()
              && last.get("content").size() > 0
              && "tool_result".equals(last.get("content").get(0).path("type").asText())) {
            ((ArrayNode) last.get("content")).add(block);
          } else {
            ObjectNode um = messages.addObject();
            um.put("role", "user");
            um.putArray("content").add(block);
          }
        }
        case "assistant" -> {
          ObjectNode am = messages.addObject();
          am.put("role", "assistant");
          if (m.path("tool_calls").isArray() && m.get("tool_calls").size() > 0) {
            ArrayNode content = am.putArray("content");
            String t = text(m.path("content"));
            if (!t.isEmpty()) {
              content.addObject().put("type", "text").put("text", t);
            }
            for (JsonNode tc : m.get("tool_calls")) {
              ObjectNode b = content.addObject();
              b.put("type", "tool_use");
              b.put("id", tc.path("id").asText());
              b.put("name", tc.path("function").path("name").asText());
              JsonNode input = Wire.parse(tc.path("function").path("arguments").asText("{}"));
              b.set("input", input != null && input.isObject() ? input : Wire.F.objectNode());
            }
          } else {
            am.put("content", text(m.path("content")));
          }
        }
        default -> {
          ObjectNode um = messages.addObject();
          um.put("role", "user");
          JsonNode c = m.path("content");
          if (c.isArray()) {
            ArrayNode parts = um.putArray("content");
            for (JsonNode p : c) {
              if ("text".equals(p.path("type").asText())) {
                parts.addObject().put("type", "text").put("text", p.path("text").asText());
              }
            }
          } else {
            um.put("content", c.asText(""));
          }
        }
      }
    }
    if (system.length() > 0) {
      out.put("system", system.toString());
    }
    out.set("messages", messages);
    copy(openAi, out, "temperature", "temperature");
    copy(openAi, out, "top_p", "top_p");
    JsonNode stop = openAi.path("stop");
    if (stop.isTextual()) {
      out.putArray("stop_sequences").add(stop.asText());
    } else if (stop.isArray()) {
      out.set("stop_sequences", stop);
    }
    if (openAi.path("tools").isArray()) {
      ArrayNode tools = out.putArray("tools");
      for (JsonNode t : openAi.get("tools")) {
        JsonNode f = t.path("function");
        ObjectNode at = tools.addObject();
        at.put("name", f.path("name").asText());
        if (f.path("description").isTextual()) {
          at.put("description", f.get("description").asText());
        }
        at.set(
            "input_schema",
            f.path("parameters").isObject()
                ? f.get("parameters")
                : Wire.F.objectNode().put("type", "object"));
      }
    }
    JsonNode choice = openAi.path("tool_choice");
    if (choice.isTextual()) {
      String c = choice.asText();
      out.putObject("tool_choice")
          .put("type", "required".equals(c) ? "any" : "none".equals(c) ? "none" : "auto");
    } else if (choice.path("function").path("name").isTextual()) {
      out.putObject("tool_choice")
          .put("type", "tool")
          .put("name", choice.get("function").get("name").asText());
    }
    if (stream) {
      out.put("stream", true);
    }
    return out;
  }

  private static void copy(JsonNode from, ObjectNode to, String key, String as) {
    if (from.has(key) && !from.get(key).isNull()) {
      to.set(as, from.get(key));
    }
  }

  private static String text(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    if (content.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (JsonNode p : content) {
        if (p.path("text").isTextual()) {
          sb.append(p.get("text").asText());
        }
      }
      return sb.toString();
    }
    return "";
  }

  /** An Anthropic message answer as an OpenAI chat.completion. */
  public static ObjectNode response(JsonNode msg, long created) {
    Wire.MessageBuilder m = new Wire.MessageBuilder();
    for (JsonNode b : msg.path("content")) {
      String type = b.path("type").asText();
      if ("text".equals(type)) {
        m.text.append(b.path("text").asText());
      } else if ("tool_use".equals(type)) {
        int i = m.tools.size();
        m.tool(i, b.path("id").asText(), b.path("name").asText());
        m.arguments(i, b.path("input").toString());
      }
    }
    ObjectNode out = Wire.F.objectNode();
    out.put("id", "chatcmpl-" + msg.path("id").asText("gw"));
    out.put("object", "chat.completion");
    out.put("created", created);
    out.put("model", msg.path("model").asText(""));
    ObjectNode choice = out.putArray("choices").addObject();
    choice.put("index", 0);
    choice.set("message", m.build());
    choice.putNull("logprobs");
    choice.put(
        "finish_reason",
        AnthropicToOpenAiStream.finishReason(msg.path("stop_reason").asText(null)));
    JsonNode u = msg.path("usage");
    long in = u.path("input_tokens").asLong();
    long outTokens = u.path("output_tokens").asLong();
    ObjectNode usage = out.putObject("usage");
    usage.put("prompt_tokens", in);
    usage.put("completion_tokens", outTokens);
    usage.put("total_tokens", in + outTokens);
    return out;
  }

  /** The usage of an Anthropic message answer. */
  public static Usage usage(JsonNode msg) {
    JsonNode u = msg.path("usage");
    return new Usage(u.path("input_tokens").asLong(), u.path("output_tokens").asLong());
  }

  /** The assistant message (OpenAI style) of a translated answer. */
  public static ObjectNode assistant(JsonNode openAiResponse) {
    JsonNode m = openAiResponse.path("choices").path(0).path("message");
    return m.isObject() ? (ObjectNode) m.deepCopy() : Wire.F.objectNode().put("role", "assistant");
  }
}
