package dev.kumaforge.chaos.proxy.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kumaforge.chaos.proxy.ApiException;
import dev.kumaforge.chaos.proxy.ProxyRegistry;
import dev.kumaforge.chaos.proxy.ProxySpec;
import dev.kumaforge.chaos.proxy.ProxyState;
import dev.kumaforge.chaos.proxy.ToxicSpec;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Toxiproxy 2.x HTTP control API, plus {@code GET /metrics}. Runs on its own event loop, so the
 * blocking proxy operations it calls never stall a proxy connection.
 */
public final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  /** The version reported by {@code GET /version}: the Toxiproxy API level implemented. */
  public static final String VERSION = "2.12.0-kumaforge";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> PROXY_FIELDS =
      Set.of("name", "listen", "upstream", "enabled", "toxics");
  private static final Set<String> TOXIC_FIELDS =
      Set.of("name", "type", "stream", "toxicity", "attributes");

  private final ProxyRegistry registry;

  /** A handler serving {@code registry}. */
  public ApiHandler(ProxyRegistry registry) {
    this.registry = registry;
  }

  private record Reply(int status, String contentType, String body) {}

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    Reply reply;
    try {
      reply = route(req);
    } catch (ApiException e) {
      reply = error(e.status(), e.getMessage());
    } catch (RuntimeException e) {
      reply = error(500, "internal error: " + e);
    }
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(reply.status()),
            Unpooled.copiedBuffer(reply.body(), StandardCharsets.UTF_8));
    if (!reply.contentType().isEmpty()) {
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
    }
    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    HttpUtil.setKeepAlive(res, keepAlive);
    var f = ctx.writeAndFlush(res);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private Reply route(FullHttpRequest req) {
    String ua = req.headers().get(HttpHeaderNames.USER_AGENT, "");
    if (ua.startsWith("Mozilla/")) {
      return error(403, "User agent not allowed");
    }
    String path = new QueryStringDecoder(req.uri()).path();
    HttpMethod m = req.method();
    String[] parts = path.split("/", -1);
    boolean post = m.equals(HttpMethod.POST);
    boolean update = post || m.equals(HttpMethod.PATCH);
    boolean get = m.equals(HttpMethod.GET);
    boolean delete = m.equals(HttpMethod.DELETE);
    if (path.equals("/version")) {
      return get
          ? new Reply(200, "application/json;charset=utf-8", "{\"version\": \"" + VERSION + "\"}\n")
          : notAllowed(m, path);
    }
    if (path.equals("/metrics")) {
      return get
          ? new Reply(200, ProxyRegistry.metricsContentType(), registry.metricsText())
          : notAllowed(m, path);
    }
    if (path.equals("/reset")) {
      if (!post) {
        return notAllowed(m, path);
      }
      registry.reset();
      return new Reply(204, "", "");
    }
    if (path.equals("/populate")) {
      return post ? populate(req) : notAllowed(m, path);
    }
    if (path.equals("/proxies")) {
      if (get) {
        ObjectNode all = NODES.objectNode();
        registry.proxies().forEach((name, p) -> all.set(name, proxyJson(p)));
        return json(200, all);
      }
      if (post) {
        ObjectNode body = object(req, PROXY_FIELDS);
        ProxySpec spec =
            new ProxySpec(
                text(body, "name"),
                text(body, "listen"),
                text(body, "upstream"),
                bool(body, "enabled"));
        return json(201, proxyJson(registry.create(spec)));
      }
      return notAllowed(m, path);
    }
    if (parts.length >= 3
        && parts[0].isEmpty()
        && parts[1].equals("proxies")
        && !parts[2].isEmpty()) {
      String proxy = QueryStringDecoder.decodeComponent(parts[2]);
      if (parts.length == 3) {
        if (get) {
          return json(200, proxyJson(registry.get(proxy)));
        }
        if (update) {
          registry.get(proxy);
          ObjectNode body = object(req, PROXY_FIELDS);
          return json(
              200,
              proxyJson(
                  registry.update(
                      proxy, text(body, "listen"), text(body, "upstream"), bool(body, "enabled"))));
        }
        if (delete) {
          registry.delete(proxy);
          return new Reply(204, "", "");
        }
        return notAllowed(m, path);
      }
      if (parts[3].equals("toxics") && parts.length == 4) {
        if (get) {
          ArrayNode arr = NODES.arrayNode();
          registry.toxics(proxy).forEach(t -> arr.add(toxicJson(t)));
          return json(200, arr);
        }
        if (post) {
          registry.get(proxy);
          ObjectNode body = object(req, TOXIC_FIELDS);
          ToxicSpec spec =
              registry.toxicSpec(
                  text(body, "name"),
                  text(body, "type"),
                  text(body, "stream"),
                  number(body, "toxicity"),
                  attributes(body));
          return json(200, toxicJson(registry.addToxic(proxy, spec)));
        }
        return notAllowed(m, path);
      }
      if (parts[3].equals("toxics") && parts.length == 5 && !parts[4].isEmpty()) {
        String toxic = QueryStringDecoder.decodeComponent(parts[4]);
        if (get) {
          return json(200, toxicJson(registry.toxic(proxy, toxic)));
        }
        if (update) {
          registry.toxic(proxy, toxic);
          ObjectNode body = object(req, TOXIC_FIELDS);
          return json(
              200,
              toxicJson(
                  registry.updateToxic(proxy, toxic, attributes(body), number(body, "toxicity"))));
        }
        if (delete) {
          registry.removeToxic(proxy, toxic);
          return new Reply(204, "", "");
        }
        return notAllowed(m, path);
      }
    }
    return error(404, "not found: " + path);
  }

  private Reply populate(FullHttpRequest req) {
    JsonNode body = parse(req);
    if (!body.isArray()) {
      throw new ApiException(400, "bad request body: expected a JSON array of proxies");
    }
    List<ProxySpec> specs = new ArrayList<>();
    int i = 0;
    for (JsonNode n : body) {
      i++;
      if (!n.isObject()) {
        throw new ApiException(400, "bad request body: proxy " + i + " is not a JSON object");
      }
      ObjectNode o = (ObjectNode) n;
      checkFields(o, PROXY_FIELDS, " at proxy " + i);
      specs.add(
          new ProxySpec(
              text(o, "name"), text(o, "listen"), text(o, "upstream"), bool(o, "enabled")));
    }
    try {
      List<ProxyState> created = registry.populate(specs);
      ObjectNode out = NODES.objectNode();
      ArrayNode arr = out.putArray("proxies");
      created.forEach(p -> arr.add(proxyJson(p)));
      return json(201, out);
    } catch (ApiException e) {
      ObjectNode out = NODES.objectNode();
      out.put("error", e.getMessage());
      out.put("status", e.status());
      out.putArray("proxies");
      return json(e.status(), out);
    }
  }

  private static JsonNode parse(FullHttpRequest req) {
    String text = req.content().toString(StandardCharsets.UTF_8);
    if (text.isBlank()) {
      throw new ApiException(400, "bad request body: empty body (expected: JSON)");
    }
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ApiException(400, "bad request body: " + e.getOriginalMessage());
    }
  }

  private static ObjectNode object(FullHttpRequest req, Set<String> fields) {
    JsonNode n = parse(req);
    if (!n.isObject()) {
      throw new ApiException(400, "bad request body: expected a JSON object");
    }
    checkFields((ObjectNode) n, fields, "");
    return (ObjectNode) n;
  }

  private static void checkFields(ObjectNode o, Set<String> fields, String where) {
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!fields.contains(f)) {
        throw new ApiException(
            400,
            "bad request body: unknown field '"
                + f
                + "'"
                + where
                + " (expected one of "
                + new java.util.TreeSet<>(fields)
                + ")");
      }
    }
  }

  private static String text(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new ApiException(
          400, "bad request body: " + field + ": " + n + " (expected: a string)");
    }
    return n.asText();
  }

  private static Boolean bool(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isBoolean()) {
      throw new ApiException(
          400, "bad request body: " + field + ": " + n + " (expected: true or false)");
    }
    return n.asBoolean();
  }

  private static Double number(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isNumber()) {
      throw new ApiException(
          400, "bad request body: " + field + ": " + n + " (expected: a number)");
    }
    return n.asDouble();
  }

  private static Map<String, Long> attributes(ObjectNode o) {
    JsonNode n = o.get("attributes");
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isObject()) {
      throw new ApiException(
          400, "bad request body: attributes: " + n + " (expected: a JSON object)");
    }
    Map<String, Long> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      JsonNode v = e.getValue();
      boolean integral =
          v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()));
      if (!integral || !v.canConvertToLong()) {
        throw new ApiException(
            400,
            "bad request body: attributes." + e.getKey() + ": " + v + " (expected: an integer)");
      }
      out.put(e.getKey(), v.asLong());
    }
    return out;
  }

  /** A proxy as Toxiproxy renders it. */
  public static ObjectNode proxyJson(ProxyState p) {
    ObjectNode o = NODES.objectNode();
    o.put("name", p.name());
    o.put("listen", p.listen());
    o.put("upstream", p.upstream());
    o.put("enabled", p.enabled());
    ArrayNode toxics = o.putArray("toxics");
    p.toxics().forEach(t -> toxics.add(toxicJson(t)));
    return o;
  }

  /** A toxic as Toxiproxy renders it. */
  public static ObjectNode toxicJson(ToxicSpec t) {
    ObjectNode o = NODES.objectNode();
    ObjectNode attrs = o.putObject("attributes");
    t.attributes().forEach(attrs::put);
    o.put("name", t.name());
    o.put("type", t.type());
    o.put("stream", t.stream().wireName());
    o.put("toxicity", (float) t.toxicity());
    return o;
  }

  private static Reply json(int status, JsonNode body) {
    try {
      return new Reply(status, "application/json", JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Reply error(int status, String message) {
    ObjectNode o = NODES.objectNode();
    o.put("error", message);
    o.put("status", status);
    return json(status, o);
  }

  private static Reply notAllowed(HttpMethod m, String path) {
    return error(405, "method " + m + " not allowed on " + path);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
