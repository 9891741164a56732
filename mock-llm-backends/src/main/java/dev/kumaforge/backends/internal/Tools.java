package dev.kumaforge.backends.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The tools a request offers, and the deterministic arguments the mock calls them with. */
final class Tools {
  private Tools() {}

  /**
   * A tool offered by the request.
   *
   * @param name the function or tool name
   * @param arguments the JSON arguments the mock sends, built from the parameter schema
   */
  record Tool(String name, String arguments) {}

  /**
   * What the request allows: the tools, whether a call is forced, and the forced tool's index.
   *
   * @param tools the offered tools
   * @param mode auto, none or required
   * @param forced index of a named tool that must be called, or -1
   */
  record Offer(List<Tool> tools, String mode, int forced) {
    static final Offer NONE = new Offer(List.of(), "none", -1);

    boolean any() {
      return !tools.isEmpty() && !mode.equals("none");
    }
  }

  /**
   * OpenAI: {@code tools: [{type: function, function: {name, parameters}}]}, {@code tool_choice}.
   */
  static Offer openAi(JsonNode body) {
    List<Tool> tools = new ArrayList<>();
    for (JsonNode t : body.path("tools")) {
      JsonNode f = t.path("function");
      if (f.path("name").isTextual()) {
        tools.add(new Tool(f.get("name").asText(), arguments(f.path("parameters"))));
      }
    }
    JsonNode choice = body.path("tool_choice");
    String mode = "auto";
    int forced = -1;
    if (choice.isTextual()) {
      mode = choice.asText();
    } else if (choice.path("function").path("name").isTextual()) {
      mode = "required";
      forced = indexOf(tools, choice.get("function").get("name").asText());
    }
    return new Offer(tools, mode, forced);
  }

  /**
   * Anthropic: {@code tools: [{name, input_schema}]}, {@code tool_choice: {type:
   * auto|any|tool|none}}.
   */
  static Offer anthropic(JsonNode body) {
    List<Tool> tools = new ArrayList<>();
    for (JsonNode t : body.path("tools")) {
      if (t.path("name").isTextual()) {
        tools.add(new Tool(t.get("name").asText(), arguments(t.path("input_schema"))));
      }
    }
    JsonNode choice = body.path("tool_choice");
    String type = choice.path("type").asText("auto");
    switch (type) {
      case "any":
        return new Offer(tools, "required", -1);
      case "tool":
        return new Offer(tools, "required", indexOf(tools, choice.path("name").asText("")));
      case "none":
        return new Offer(tools, "none", -1);
      default:
        return new Offer(tools, "auto", -1);
    }
  }

  private static int indexOf(List<Tool> tools, String name) {
    for (int i = 0; i < tools.size(); i++) {
      if (tools.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Arguments from a JSON schema: strings "forge", numbers 1, booleans true, others null. */
  static String arguments(JsonNode schema) {
    ObjectNode args = Json.MAPPER.createObjectNode();
    for (Map.Entry<String, JsonNode> e : schema.path("properties").properties()) {
      switch (e.getValue().path("type").asText("")) {
        case "string":
          JsonNode values = e.getValue().path("enum");
          args.put(
              e.getKey(), values.isArray() && !values.isEmpty() ? values.get(0).asText() : "forge");
          break;
        case "integer":
        case "number":
          args.put(e.getKey(), 1);
          break;
        case "boolean":
          args.put(e.getKey(), true);
          break;
        case "array":
          args.putArray(e.getKey());
          break;
        case "object":
          args.putObject(e.getKey());
          break;
        default:
          args.putNull(e.getKey());
          break;
      }
    }
    return args.toString();
  }

  /** Splits the arguments into streamed pieces of about one token (4 characters) each. */
  static String[] pieces(String arguments) {
    int n = Math.max(1, (arguments.length() + 3) / 4);
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      out[i] = arguments.substring(i * 4, Math.min(arguments.length(), i * 4 + 4));
    }
    return out;
  }
}
