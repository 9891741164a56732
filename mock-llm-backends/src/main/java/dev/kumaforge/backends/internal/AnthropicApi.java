package dev.kumaforge.backends.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;

/**
 * The Anthropic wire format: {@code POST /v1/messages}, plain and streaming (message_start,
 * content_block_start, ping, content_block_delta..., content_block_stop, message_delta with usage,
 * message_stop), with {@code x-api-key} and {@code anthropic-version} checked.
 */
final class AnthropicApi {
  /** Tokens added per message for role framing (an approximation; Anthropic publishes none). */
  static final int PER_MESSAGE_TOKENS = 3;

  private AnthropicApi() {}

  /** Sends an Anthropic-shaped error. */
  static void error(
      Exchange ex, HttpResponseStatus status, String type, String message, HttpHeaders extra) {
    ByteBuf body =
        Json.write(
            ex.ctx().alloc(),
            g -> {
              g.writeStartObject();
              g.writeStringField("type", "error");
              g.writeObjectFieldStart("error");
              g.writeStringField("type", type);
              g.writeStringField("message", message);
              g.writeEndObject();
              g.writeEndObject();
            });
    ex.respond(status, HttpHeaderValues.APPLICATION_JSON, body, extra);
  }

  static void invalid(Exchange ex, String message) {
    error(ex, HttpResponseStatus.BAD_REQUEST, "invalid_request_error", message, null);
  }

  /** Checks {@code x-api-key}; answers 401 and returns null when refused. */
  static String authorize(Exchange ex, FullHttpRequest req) {
    String key = req.headers().get("x-api-key");
    var cfg = ex.provider().config();
    if (key == null || key.isBlank()) {
      if (!cfg.requireApiKey()) {
        return "anonymous";
      }
      error(
          ex,
          HttpResponseStatus.UNAUTHORIZED,
          "authentication_error",
          "x-api-key header is required",
          null);
      return null;
    }
    if (!cfg.apiKeys().isEmpty() && !cfg.apiKeys().contains(key)) {
      error(ex, HttpResponseStatus.UNAUTHORIZED, "authentication_error", "invalid x-api-key", null);
      return null;
    }
    return key;
  }

  /** {@code POST /v1/messages}. */
  static void messages(Exchange ex, FullHttpRequest req) {
    String key = authorize(ex, req);
    if (key == null) {
      return;
    }
    if (req.headers().get("anthropic-version") == null) {
      invalid(ex, "anthropic-version: header is required");
      return;
    }
    JsonNode body = Json.parse(req.content());
    if (body == null || !body.isObject()) {
      invalid(ex, "There was an error parsing the body of your request: invalid JSON");
      return;
    }
    if (!body.path("model").isTextual()) {
      invalid(ex, "model: Field required");
      return;
    }
    JsonNode maxNode = body.get("max_tokens");
    if (maxNode == null || maxNode.isNull()) {
      invalid(ex, "max_tokens: Field required");
      return;
    }
    if (!maxNode.isIntegralNumber() || !maxNode.canConvertToInt() || maxNode.asInt() < 1) {
      invalid(ex, "max_tokens: Input should be an integer >= 1, got " + maxNode);
      return;
    }
    JsonNode messages = body.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      invalid(
          ex,
          messages == null
              ? "messages: Field required"
              : "messages: at least one message is required");
      return;
    }
    String modelName = body.get("model").asText();
    ModelRuntime model = ex.provider().model(modelName);
    if (model == null) {
      error(ex, HttpResponseStatus.NOT_FOUND, "not_found_error", "model: " + modelName, null);
      return;
    }
    int maxTokens = maxNode.asInt();
    int promptTokens = model.countContentTokens(body.get("system"));
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String role = m.path("role").asText("");
      if (!role.equals("user") && !role.equals("assistant")) {
        invalid(ex, "messages." + i + ".role: Input should be 'user' or 'assistant'");
        return;
      }
      promptTokens += PER_MESSAGE_TOKENS + model.countContentTokens(m.get("content"));
    }
    Tools.Offer offer = Tools.anthropic(body);
    if (body.path("tools").isArray()) {
      promptTokens += model.countTokens(body.get("tools").toString());
    }
    int window = model.config().contextWindow();
    if (promptTokens + maxTokens > window) {
      invalid(
          ex,
          "prompt is too long: "
              + promptTokens
              + " tokens + "
              + maxTokens
              + " max_tokens > "
              + window
              + " maximum");
      return;
    }
    Plan plan = model.plan(promptTokens, maxTokens, offer);
    FaultDecision faults = ex.provider().decide(modelName, plan.requestNumber());
    String id = "msg_forge" + ex.provider().nextId();
    Message message = new Message(ex, model, plan, faults, key, modelName, id);
    RateLimiter limiter = ex.provider().limiter();
    if (limiter.enabled()) {
      RateLimiter.Outcome o = limiter.take(key, promptTokens + maxTokens, System.nanoTime());
      message.headers = limitHeaders(o);
      if (!o.allowed()) {
        ex.provider().ledger().record(key, modelName, false, 0, 0);
        long retry = Math.max(1, (long) Math.ceil(o.retryAfterSeconds()));
        message.headers.set("retry-after", Long.toString(retry));
        error(
            ex,
            HttpResponseStatus.TOO_MANY_REQUESTS,
            "rate_limit_error",
            "This request would exceed your organization's rate limit of "
                + (o.refusedBy().equals("requests")
                    ? o.requestLimit() + " requests per minute"
                    : o.tokenLimit() + " tokens per minute")
                + ". Please try again later.",
            message.headers);
        return;
      }
    }
    message.start(body.path("stream").asBoolean(false));
  }

  /** Sends an error of {@code status} shaped like Anthropic's (529 overloaded_error). */
  static void statusError(Exchange ex, int status) {
    HttpHeaders extra = null;
    String type;
    String message;
    switch (status) {
      case 400:
        type = "invalid_request_error";
        message = "Injected fault: invalid request.";
        break;
      case 401:
        type = "authentication_error";
        message = "invalid x-api-key";
        break;
      case 403:
        type = "permission_error";
        message = "Your API key does not have permission to use the specified resource.";
        break;
      case 404:
        type = "not_found_error";
        message = "The requested resource could not be found.";
        break;
      case 413:
        type = "request_too_large";
        message = "Request exceeds the maximum allowed number of bytes.";
        break;
      case 429:
        type = "rate_limit_error";
        message = "Number of requests has exceeded your rate limit.";
        extra = new DefaultHttpHeaders();
        extra.set("retry-after", "1");
        extra.set("anthropic-ratelimit-requests-remaining", "0");
        break;
      case 529:
        type = "overloaded_error";
        message = "Overloaded";
        break;
      default:
        type = "api_error";
        message = "Internal server error (status " + status + ")";
        break;
    }
    error(ex, HttpResponseStatus.valueOf(status), type, message, extra);
  }

  /** Anthropic's {@code anthropic-ratelimit-*} headers for a limiter outcome. */
  static HttpHeaders limitHeaders(RateLimiter.Outcome o) {
    HttpHeaders h = new DefaultHttpHeaders();
    java.time.Instant now = java.time.Instant.now();
    if (o.requestLimit() > 0) {
      h.set("anthropic-ratelimit-requests-limit", Long.toString(o.requestLimit()));
      h.set("anthropic-ratelimit-requests-remaining", Long.toString(o.requestsRemaining()));
      h.set(
          "anthropic-ratelimit-requests-reset",
          now.plusMillis((long) (o.requestsResetSeconds() * 1000))
              .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
              .toString());
    }
    if (o.tokenLimit() > 0) {
      h.set("anthropic-ratelimit-tokens-limit", Long.toString(o.tokenLimit()));
      h.set("anthropic-ratelimit-tokens-remaining", Long.toString(o.tokensRemaining()));
      h.set(
          "anthropic-ratelimit-tokens-reset",
          now.plusMillis((long) (o.tokensResetSeconds() * 1000))
              .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
              .toString());
    }
    return h;
  }

  static String stopReason(Plan plan) {
    if (plan.truncatedByMaxTokens()) {
      return "max_tokens";
    }
    return plan.tool() != null ? "tool_use" : "end_turn";
  }

  static void writeUsage(JsonGenerator g, int input, int output) throws IOException {
    g.writeObjectFieldStart("usage");
    g.writeNumberField("input_tokens", input);
    g.writeNumberField("output_tokens", output);
    g.writeEndObject();
  }

  /** One message, streamed (the real event sequence) or not. */
  private static final class Message extends TokenStream {
    private final String id;

    Message(
        Exchange ex,
        ModelRuntime runtime,
        Plan plan,
        FaultDecision faults,
        String key,
        String modelName,
        String id) {
      super(ex, runtime, plan, faults, key, modelName);
      this.id = id;
    }

    @Override
    void open() {
      ex.chunk(
          event(
              "message_start",
              g -> {
                g.writeObjectFieldStart("message");
                g.writeStringField("id", id);
                g.writeStringField("type", "message");
                g.writeStringField("role", "assistant");
                g.writeStringField("model", model);
                g.writeArrayFieldStart("content");
                g.writeEndArray();
                g.writeNullField("stop_reason");
                g.writeNullField("stop_sequence");
                writeUsage(g, plan.promptTokens(), 1);
                g.writeEndObject();
              }));
      ex.chunk(
          event(
              "content_block_start",
              g -> {
                g.writeNumberField("index", 0);
                g.writeObjectFieldStart("content_block");
                if (plan.tool() != null) {
                  g.writeStringField("type", "tool_use");
                  g.writeStringField("id", toolId());
                  g.writeStringField("name", plan.tool().name());
                  g.writeObjectFieldStart("input");
                  g.writeEndObject();
                } else {
                  g.writeStringField("type", "text");
                  g.writeStringField("text", "");
                }
                g.writeEndObject();
              }));
      ex.chunk(event("ping", g -> {}));
    }

    @Override
    void token(int i) {
      String piece = plan.pieces()[i];
      ex.chunk(
          event(
              "content_block_delta",
              g -> {
                g.writeNumberField("index", 0);
                g.writeObjectFieldStart("delta");
                if (plan.tool() != null) {
                  g.writeStringField("type", "input_json_delta");
                  g.writeStringField("partial_json", piece);
                } else {
                  g.writeStringField("type", "text_delta");
                  g.writeStringField("text", piece);
                }
                g.writeEndObject();
              }));
    }

    @Override
    void close() {
      ex.chunk(event("content_block_stop", g -> g.writeNumberField("index", 0)));
      ex.chunk(
          event(
              "message_delta",
              g -> {
                g.writeObjectFieldStart("delta");
                g.writeStringField("stop_reason", stopReason(plan));
                g.writeNullField("stop_sequence");
                g.writeEndObject();
                g.writeObjectFieldStart("usage");
                g.writeNumberField("output_tokens", plan.completionTokens());
                g.writeEndObject();
              }));
      ex.chunk(event("message_stop", g -> {}));
    }

    @Override
    ByteBuf errorFrame() {
      return event(
          "error",
          g -> {
            g.writeObjectFieldStart("error");
            g.writeStringField("type", "overloaded_error");
            g.writeStringField("message", "Overloaded");
            g.writeEndObject();
          });
    }

    @Override
    ByteBuf malformedFrame() {
      return Exchange.utf8(
          "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\n\n");
    }

    @Override
    void statusError(int status) {
      AnthropicApi.statusError(ex, status);
    }

    @Override
    ByteBuf body() {
      return Json.write(
          ex.ctx().alloc(),
          g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("type", "message");
            g.writeStringField("role", "assistant");
            g.writeStringField("model", model);
            g.writeArrayFieldStart("content");
            g.writeStartObject();
            if (plan.tool() != null) {
              g.writeStringField("type", "tool_use");
              g.writeStringField("id", toolId());
              g.writeStringField("name", plan.tool().name());
              g.writeFieldName("input");
              Json.MAPPER.writeTree(g, toolInput());
            } else {
              g.writeStringField("type", "text");
              g.writeStringField("text", plan.text());
            }
            g.writeEndObject();
            g.writeEndArray();
            g.writeStringField("stop_reason", stopReason(plan));
            g.writeNullField("stop_sequence");
            writeUsage(g, plan.promptTokens(), plan.completionTokens());
            g.writeEndObject();
          });
    }

    private String toolId() {
      return "toolu_forge" + id.substring(id.lastIndexOf('e') + 1);
    }

    /** The tool input as JSON; arguments cut short by max_tokens give an empty object. */
    private com.fasterxml.jackson.databind.JsonNode toolInput() {
      try {
        return Json.MAPPER.readTree(plan.text());
      } catch (IOException e) {
        return Json.MAPPER.createObjectNode();
      }
    }

    private ByteBuf event(String type, Json.Body fields) {
      return Json.write(
          ex.ctx().alloc(),
          "event: " + type + "\ndata: ",
          g -> {
            g.writeStartObject();
            g.writeStringField("type", type);
            fields.write(g);
            g.writeEndObject();
          },
          "\n\n");
    }
  }
}
