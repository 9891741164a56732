package dev.kumaforge.gateway.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kumaforge.common.units.Durations;
import dev.kumaforge.gateway.config.GatewayConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** The running config as JSON with secrets (keys that look like credentials) redacted. */
public final class ConfigJson {
  /** Replacement for redacted values. */
  public static final String REDACTED = "<redacted>";

  private static final Pattern SECRET =
      Pattern.compile("(?i).*(secret|password|passwd|token|apikey|api-key|authorization|cookie).*");
  private static final ObjectMapper MAPPER = mapper();

  private ConfigJson() {}

  private static ObjectMapper mapper() {
    SimpleModule m = new SimpleModule("gateway-config-json");
    m.addSerializer(
        Duration.class,
        new JsonSerializer<>() {
          @Override
          public void serialize(Duration d, JsonGenerator g, SerializerProvider p)
              throws IOException {
            g.writeString(Durations.format(d));
          }
        });
    return JsonMapper.builder().addModule(m).build();
  }

  /** The config as a JSON tree, redacted. */
  public static JsonNode redacted(GatewayConfig config) {
    JsonNode tree = MAPPER.valueToTree(config);
    redact(tree);
    return tree;
  }

  /** Writes {@code node} as compact JSON. */
  public static String write(Object node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  /** The shared mapper, for building admin responses. */
  public static ObjectMapper objectMapper() {
    return MAPPER;
  }

  private static void redact(JsonNode node) {
    if (node instanceof ObjectNode o) {
      boolean namedSecret =
          o.has("name") && o.get("name").isTextual() && isSecret(o.get("name").asText());
      for (Map.Entry<String, JsonNode> e : o.properties()) {
        if (e.getValue().isValueNode() && !e.getValue().isNull()) {
          if (isSecret(e.getKey()) || (namedSecret && "value".equals(e.getKey()))) {
            e.setValue(MAPPER.getNodeFactory().textNode(REDACTED));
          }
        } else if (e.getValue().isArray() && isSecret(e.getKey())) {
          e.setValue(MAPPER.getNodeFactory().textNode(REDACTED));
        } else {
          redact(e.getValue());
        }
      }
    } else if (node.isArray()) {
      node.forEach(ConfigJson::redact);
    }
  }

  private static boolean isSecret(String key) {
    return SECRET.matcher(key.toLowerCase(Locale.ROOT)).matches();
  }
}
