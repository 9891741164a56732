package dev.kumaforge.gateway.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kumaforge.gateway.ai.translate.Wire;
import dev.kumaforge.gateway.config.AiConfig;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Renders a prompt template with the variables of a {@code POST /templates/{name}} body. */
final class Templates {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_]+)\\s*}}");

  private Templates() {}

  /**
   * The chat request for {@code t} and the posted body {@code {"variables":{..},"stream":..}};
   * throws IllegalArgumentException naming a missing variable or a bad body.
   */
  static String render(AiConfig.Template t, String posted) {
    JsonNode body = posted.isBlank() ? Wire.MAPPER.createObjectNode() : Wire.parse(posted);
    if (body == null || !body.isObject()) {
      throw new IllegalArgumentException("the request body is not a JSON object");
    }
    JsonNode vars = body.path("variables");
    if (!vars.isMissingNode() && !vars.isObject()) {
      throw new IllegalArgumentException("variables: expected an object of template variables");
    }
    ObjectNode out = Wire.MAPPER.createObjectNode();
    out.put("model", t.model());
    if (t.maxTokens() != null) {
      out.put("max_tokens", t.maxTokens());
    }
    if (body.path("stream").asBoolean(false)) {
      out.put("stream", true);
      if (body.has("stream_options")) {
        out.set("stream_options", body.get("stream_options"));
      }
    }
    ArrayNode messages = out.putArray("messages");
    for (AiConfig.TemplateMessage m : t.messages()) {
      Matcher matcher = PLACEHOLDER.matcher(m.content());
      StringBuilder sb = new StringBuilder();
      while (matcher.find()) {
        JsonNode v = vars.get(matcher.group(1));
        if (v == null || v.isNull()) {
          throw new IllegalArgumentException(
              "variables." + matcher.group(1) + ": required by template " + t.name());
        }
        matcher.appendReplacement(
            sb, Matcher.quoteReplacement(v.isTextual() ? v.asText() : v.toString()));
      }
      matcher.appendTail(sb);
      messages.addObject().put("role", m.role()).put("content", sb.toString());
    }
    return out.toString();
  }
}
