package dev.kumaforge.backends.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kumaforge.backends.config.FaultSpec;
import dev.kumaforge.backends.config.ModelConfig;
import dev.kumaforge.common.config.ConfigError;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.common.config.YamlConfig;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The admin API on every provider port: {@code GET /admin/stats}, {@code GET|PUT|DELETE
 * /admin/faults}, {@code POST /admin/reset}. Errors are {@code {"error": ..., "status": ...}}.
 */
final class AdminApi {
  private static final ObjectMapper STRICT = YamlConfig.jsonMapper();

  private AdminApi() {}

  static void handle(Exchange ex, FullHttpRequest req, String path) {
    HttpMethod m = req.method();
    switch (path) {
      case "/admin/stats":
        if (m.equals(HttpMethod.GET)) {
          stats(ex);
          return;
        }
        break;
      case "/admin/faults":
        if (m.equals(HttpMethod.GET)) {
          faults(ex);
          return;
        }
        if (m.equals(HttpMethod.PUT)) {
          putFaults(ex, req);
          return;
        }
        if (m.equals(HttpMethod.DELETE)) {
          ex.provider().setFaults(List.of());
          faults(ex);
          return;
        }
        break;
      case "/admin/reset":
        if (m.equals(HttpMethod.POST)) {
          ex.provider().reset();
          ok(ex);
          return;
        }
        break;
      default:
        error(ex, HttpResponseStatus.NOT_FOUND, "unknown admin endpoint: " + path);
        return;
    }
    error(ex, HttpResponseStatus.METHOD_NOT_ALLOWED, "method " + m + " not allowed on " + path);
  }

  /** {@code GET /metrics}: the ledger and slots in the Prometheus text format. */
  static void metrics(Exchange ex) {
    ex.respond(
        HttpResponseStatus.OK,
        ProviderMetrics.CONTENT_TYPE,
        Exchange.utf8(ex.provider().metrics().scrape()));
  }

  static void error(Exchange ex, HttpResponseStatus status, String message) {
    ByteBuf body =
        Json.write(
            ex.ctx().alloc(),
            g -> {
              g.writeStartObject();
              g.writeStringField("error", message);
              g.writeNumberField("status", status.code());
              g.writeEndObject();
            });
    ex.respond(status, HttpHeaderValues.APPLICATION_JSON, body);
  }

  private static void ok(Exchange ex) {
    ex.respond(
        HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON, Exchange.utf8("{\"ok\":true}"));
  }

  private static void stats(Exchange ex) {
    ProviderRuntime p = ex.provider();
    ByteBuf body =
        Json.write(
            ex.ctx().alloc(),
            g -> {
              g.writeStartObject();
              g.writeStringField("provider", p.config().name());
              g.writeArrayFieldStart("entries");
              long requests = 0;
              long errors = 0;
              long prompt = 0;
              long completion = 0;
              double cost = 0;
              for (Ledger.Row r : p.ledger().snapshot()) {
                double c =
                    p.config()
                        .model(r.model())
                        .map(ModelConfig::price)
                        .map(pr -> pr.cost(r.promptTokens(), r.completionTokens()))
                        .orElse(0.0);
                g.writeStartObject();
                g.writeStringField("api_key", r.apiKey());
                g.writeStringField("model", r.model());
                g.writeNumberField("requests", r.requests());
                g.writeNumberField("errors", r.errors());
                g.writeNumberField("prompt_tokens", r.promptTokens());
                g.writeNumberField("completion_tokens", r.completionTokens());
                g.writeNumberField("cost_usd", c);
                g.writeEndObject();
                requests += r.requests();
                errors += r.errors();
                prompt += r.promptTokens();
                completion += r.completionTokens();
                cost += c;
              }
              g.writeEndArray();
              g.writeArrayFieldStart("models");
              for (ModelRuntime m : p.models()) {
                g.writeStartObject();
                g.writeStringField("model", m.config().name());
                g.writeNumberField("active", m.slots().active());
                g.writeNumberField("waiting", m.slots().waiting());
                g.writeEndObject();
              }
              g.writeEndArray();
              g.writeObjectFieldStart("totals");
              g.writeNumberField("requests", requests);
              g.writeNumberField("errors", errors);
              g.writeNumberField("prompt_tokens", prompt);
              g.writeNumberField("completion_tokens", completion);
              g.writeNumberField("cost_usd", cost);
              g.writeEndObject();
              g.writeEndObject();
            });
    ex.respond(HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON, body);
  }

  private static void faults(Exchange ex) {
    ByteBuf body =
        Json.write(
            ex.ctx().alloc(),
            g -> {
              g.writeStartObject();
              g.writeFieldName("faults");
              STRICT.writeValue(g, faultsAsTree(ex.provider().faults()));
              g.writeEndObject();
            });
    ex.respond(HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON, body);
  }

  private static JsonNode faultsAsTree(List<FaultSpec> faults) {
    var array = STRICT.createArrayNode();
    for (FaultSpec f : faults) {
      var o = array.addObject();
      o.put("type", f.type().toString());
      o.put("rate", f.rate());
      if (f.model() != null) {
        o.put("model", f.model());
      }
      if (f.duration() != null) {
        o.put("duration", dev.kumaforge.common.units.Durations.format(f.duration()));
      }
      o.put("status", f.status());
      o.put("afterTokens", f.afterTokens());
    }
    return array;
  }

  /**
   * Body: a fault, a list of faults, or {@code {"faults": [...]}}; replaces the faults in force.
   */
  private static void putFaults(Exchange ex, FullHttpRequest req) {
    JsonNode tree = Json.parse(req.content());
    if (tree == null) {
      error(ex, HttpResponseStatus.BAD_REQUEST, "body is not valid JSON (expected: a fault list)");
      return;
    }
    JsonNode list = tree;
    String prefix = "";
    if (tree.isObject() && tree.has("faults")) {
      list = tree.get("faults");
      prefix = "faults";
    } else if (tree.isObject()) {
      list = STRICT.createArrayNode().add(tree);
    }
    if (!list.isArray()) {
      error(ex, HttpResponseStatus.BAD_REQUEST, "faults: expected a list of faults");
      return;
    }
    List<FaultSpec> specs = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String at = prefix + "[" + i + "]";
      FaultSpec spec;
      try {
        spec = STRICT.treeToValue(list.get(i), FaultSpec.class);
      } catch (IOException | IllegalArgumentException e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
        problems.add(at + ": " + msg);
        continue;
      }
      Validator v = Validator.root();
      spec.validate(v);
      if (spec.model() != null && ex.provider().model(spec.model()) == null) {
        v.error("model", "unknown model '" + spec.model() + "'");
      }
      for (ConfigError err : v.errors()) {
        problems.add(at + "." + err);
      }
      specs.add(spec);
    }
    if (!problems.isEmpty()) {
      error(
          ex, HttpResponseStatus.BAD_REQUEST, problems.stream().collect(Collectors.joining("; ")));
      return;
    }
    ex.provider().setFaults(specs);
    faults(ex);
  }
}
