package dev.kumaforge.harness.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kumaforge.common.config.YamlConfig;
import java.util.Map;

/**
 * Makes a reference gateway config fit one run: listeners bind port 0, and upstream endpoints that
 * name a mock provider's configured address point to the address that provider actually bound.
 *
 * <pre>
 * listeners.public.address: 127.0.0.1:18080        ->  127.0.0.1:0
 * backends[0].endpoints[0].address: 127.0.0.1:18001 ->  127.0.0.1:41234 (bound by provider "openai")
 * </pre>
 *
 * <p>File names in the config (TLS certificates and keys, API key files, JWT secrets and JWKS
 * files) are made absolute against the original config's folder, since the rewritten config lives
 * in the run folder.
 *
 * <p>{@link #withRedis} points a config's Redis connections at the redis-server of the run.
 */
public final class GatewayConfigRewriter {
  private GatewayConfigRewriter() {}

  /**
   * Rewrites the YAML {@code text}.
   *
   * @param boundByConfigured configured provider address ("host:port") -> bound "host:port"
   * @return the rewritten config as YAML
   */
  public static String rewrite(String text, String source, Map<String, String> boundByConfigured) {
    JsonNode tree = YamlConfig.parseTree(text, source);
    JsonNode listeners = tree.path("listeners");
    listeners
        .properties()
        .forEach(
            e -> {
              if (e.getValue() instanceof ObjectNode listener && listener.hasNonNull("address")) {
                listener.put("address", withPortZero(listener.get("address").asText()));
              }
            });
    java.nio.file.Path parent = java.nio.file.Path.of(source).toAbsolutePath().getParent();
    if (parent != null) {
      absolutizeFiles(tree, parent);
    }
    for (JsonNode backend : tree.path("backends")) {
      for (JsonNode endpoint : backend.path("endpoints")) {
        if (endpoint instanceof ObjectNode ep && ep.hasNonNull("address")) {
          String bound = boundByConfigured.get(normalize(ep.get("address").asText()));
          if (bound != null) {
            ep.put("address", bound);
          }
        }
      }
    }
    try {
      return YamlConfig.yamlMapper().writeValueAsString(tree);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(
          "cannot write rewritten gateway config: " + e.getMessage(), e);
    }
  }

  /** Makes every file name of {@code tree} absolute against {@code base}. */
  static void absolutizeFiles(JsonNode tree, java.nio.file.Path base) {
    tree.path("listeners")
        .properties()
        .forEach(
            e -> {
              JsonNode tls = e.getValue().path("tls");
              absolutize(tls, "certificate", base);
              absolutize(tls, "privateKey", base);
              absolutizeAll(tls.path("clientCaBundles"), base);
            });
    for (JsonNode backend : tree.path("backends")) {
      JsonNode tls = backend.path("tls");
      absolutize(tls, "caBundle", base);
      absolutize(tls, "certificate", base);
      absolutize(tls, "privateKey", base);
    }
    JsonNode auth = tree.path("authentication");
    absolutize(auth.path("apiKeys"), "file", base);
    for (JsonNode provider : auth.path("jwt").path("providers")) {
      absolutize(provider, "secretFile", base);
      absolutize(provider.path("jwks"), "file", base);
    }
  }

  private static void absolutize(JsonNode node, String field, java.nio.file.Path base) {
    if (node instanceof ObjectNode o && o.path(field).isTextual()) {
      o.put(field, base.resolve(o.get(field).asText()).normalize().toString());
    }
  }

  private static void absolutizeAll(JsonNode array, java.nio.file.Path base) {
    if (array instanceof com.fasterxml.jackson.databind.node.ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        if (a.get(i).isTextual()) {
          a.set(i, a.textNode(base.resolve(a.get(i).asText()).normalize().toString()));
        }
      }
    }
  }

  /** Whether the gateway config {@code text} names Redis servers (its top-level redis section). */
  public static boolean usesRedis(String text, String source) {
    JsonNode redis = YamlConfig.parseTree(text, source).path("redis");
    return redis.isObject() && !redis.isEmpty();
  }

  /**
   * Points every connection of the top-level {@code redis} section of {@code text} at {@code uri}
   * (the redis-server this run started).
   *
   * <pre>
   * redis.main.uri: redis://127.0.0.1:6379  ->  redis://127.0.0.1:41235
   * </pre>
   */
  public static String withRedis(String text, String source, String uri) {
    JsonNode tree = YamlConfig.parseTree(text, source);
    tree.path("redis")
        .properties()
        .forEach(
            e -> {
              if (e.getValue() instanceof ObjectNode connection) {
                connection.put("uri", uri);
              }
            });
    try {
      return YamlConfig.yamlMapper().writeValueAsString(tree);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(
          "cannot write rewritten gateway config: " + e.getMessage(), e);
    }
  }

  /** {@code host:port} with the port replaced by 0. */
  static String withPortZero(String address) {
    int colon = address.lastIndexOf(':');
    return (colon < 0 ? address : address.substring(0, colon)) + ":0";
  }

  /** {@code localhost} and {@code 127.0.0.1} name the same loopback address. */
  public static String normalize(String hostPort) {
    String s = hostPort.trim();
    if (s.startsWith("http://")) {
      s = s.substring("http://".length());
    } else if (s.startsWith("https://")) {
      s = s.substring("https://".length());
    }
    if (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.startsWith("localhost:")) {
      s = "127.0.0.1:" + s.substring("localhost:".length());
    }
    return s;
  }
}
