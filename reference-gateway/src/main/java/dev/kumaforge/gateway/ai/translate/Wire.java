package dev.kumaforge.gateway.ai.translate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** JSON helpers and the OpenAI error shape shared by the translators. */
public final class Wire {
  /** The shared mapper. */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Wire() {}

  /** Parses JSON text, or returns null when it is not JSON. */
  public static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** Serialises a node. */
  public static String write(JsonNode node) {
    return node.toString();
  }

  /** {@code {"error":{"message":..,"type":..,"param":null,"code":..}}}, OpenAI's error shape. */
  public static String openAiError(String message, String type, String code) {
    ObjectNode e = F.objectNode();
    e.put("message", message);
    e.put("type", type);
    e.putNull("param");
    if (code == null) {
      e.putNull("code");
    } else {
      e.put("code", code);
    }
    ObjectNode root = F.objectNode();
    root.set("error", e);
    return root.toString();
  }

  /** {@code {"type":"error","error":{"type":..,"message":..}}}, Anthropic's error shape. */
  public static String anthropicError(String message, String type) {
    ObjectNode e = F.objectNode();
    e.put("type", type);
    e.put("message", message);
    ObjectNode root = F.objectNode();
    root.put("type", "error");
    root.set("error", e);
    return root.toString();
  }

  /** The message of a provider error body of either shape, or the body itself. */
  public static String errorMessage(String body) {
    JsonNode n = parse(body);
    if (n != null && n.path("error").path("message").isTextual()) {
      return n.get("error").get("message").asText();
    }
    return body == null ? "" : body.length() > 300 ? body.substring(0, 300) : body;
  }

  /** Accumulates a streamed assistant message: text and tool calls by index. */
  static final class MessageBuilder {
    final StringBuilder text = new StringBuilder();
    final List<String[]> tools = new ArrayList<>();
    final List<StringBuilder> args = new ArrayList<>();

    void tool(int index, String id, String name) {
      while (tools.size() <= index) {
        tools.add(new String[2]);
        args.add(new StringBuilder());
      }
      if (id != null) {
        tools.get(index)[0] = id;
      }
      if (name != null) {
        tools.get(index)[1] = name;
      }
    }

    void arguments(int index, String piece) {
      tool(index, null, null);
      args.get(index).append(piece);
    }

    ObjectNode build() {
      ObjectNode m = F.objectNode();
      m.put("role", "assistant");
      if (text.length() == 0 && !tools.isEmpty()) {
        m.putNull("content");
      } else {
        m.put("content", text.toString());
      }
      if (!tools.isEmpty()) {
        ArrayNode calls = m.putArray("tool_calls");
        for (int i = 0; i < tools.size(); i++) {
          ObjectNode c = calls.addObject();
          c.put("id", tools.get(i)[0]);
          c.put("type", "function");
          ObjectNode f = c.putObject("function");
          f.put("name", tools.get(i)[1]);
          f.put("arguments", args.get(i).toString());
        }
      }
      return m;
    }
  }
}
