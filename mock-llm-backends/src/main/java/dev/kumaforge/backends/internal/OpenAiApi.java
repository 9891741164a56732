package dev.kumaforge.backends.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;

/** The OpenAI wire format: chat completions (plain and SSE), models, errors. */
final class OpenAiApi {
  static final String SSE = "text/event-stream; charset=utf-8";

  /** The SSE frame OpenAI sends when a stream fails mid-answer. */
  static final String SERVER_ERROR_FRAME =
      "data: {\"error\":{\"message\":\"The server had an error while processing your request.\","
          + "\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n";

  private OpenAiApi() {}

  /** Sends an OpenAI-shaped error. */
  static void error(
      Exchange ex,
      HttpResponseStatus status,
      String type,
      String code,
      String param,
      String message,
      HttpHeaders extra) {
    ByteBuf body =
        Json.write(
            ex.ctx().alloc(),
            g -> {
              g.writeStartObject();
              g.writeObjectFieldStart("error");
              g.writeStringField("message", message);
              g.writeStringField("type", type);
              g.writeStringField("param", param);
              g.writeStringField("code", code);
              g.writeEndObject();
              g.writeEndObject();
            });
    ex.respond(status, HttpHeaderValues.APPLICATION_JSON, body, extra);
  }

  static void invalid(Exchange ex, String param, String message) {
    error(ex, HttpResponseStatus.BAD_REQUEST, "invalid_request_error", null, param, message, null);
  }

  /** The API key from {@code Authorization: Bearer ...}, or null. */
  static String apiKey(FullHttpRequest req) {
    String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String key = auth.substring(7).trim();
    return key.isEmpty() ? null : key;
  }

  /** Checks the API key; answers 401 and returns null when it is refused. */
  static String authorize(Exchange ex, FullHttpRequest req) {
    String key = apiKey(req);
    var cfg = ex.provider().config();
    if (key == null) {
      if (!cfg.requireApiKey()) {
        return "anonymous";
      }
      error(
          ex,
          HttpResponseStatus.UNAUTHORIZED,
          "invalid_request_error",
          null,
          null,
          "You didn't provide an API key. You need to provide your API key in an Authorization"
              + " header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
          null);
      return null;
    }
    if (!cfg.apiKeys().isEmpty() && !cfg.apiKeys().contains(key)) {
      error(
          ex,
          HttpResponseStatus.UNAUTHORIZED,
          "invalid_request_error",
          "invalid_api_key",
          null,
          "Incorrect API key provided: " + redact(key) + ".",
          null);
      return null;
    }
    return key;
  }

  static String redact(String key) {
    return key.length() <= 8
        ? "****"
        : key.substring(0, 3) + "****" + key.substring(key.length() - 4);
  }

  /** {@code GET /v1/models}. */
  static void models(Exchange ex, FullHttpRequest req) {
    if (authorize(ex, req) == null) {
      return;
    }
    ByteBuf body =
        Json.write(
            ex.ctx().alloc(),
            g -> {
              g.writeStartObject();
              g.writeStringField("object", "list");
              g.writeArrayFieldStart("data");
              for (ModelRuntime m : ex.provider().models()) {
                g.writeStartObject();
                g.writeStringField("id", m.config().name());
                g.writeStringField("object", "model");
                g.writeNumberField("created", 1_700_000_000L);
                g.writeStringField("owned_by", ex.provider().config().name());
                g.writeEndObject();
              }
              g.writeEndArray();
              g.writeEndObject();
            });
    ex.respond(HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON, body);
  }

  /** {@code POST /v1/chat/completions}. */
  static void chatCompletions(Exchange ex, FullHttpRequest req) {
    String key = authorize(ex, req);
    if (key == null) {
      return;
    }
    JsonNode body = Json.parse(req.content());
    if (body == null || !body.isObject()) {
      invalid(
          ex,
          null,
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't"
              + " using your HTTP library correctly. The OpenAI API expects a JSON payload.)");
      return;
    }
    JsonNode modelNode = body.get("model");
    if (modelNode == null || !modelNode.isTextual()) {
      invalid(ex, "model", "you must provide a model parameter");
      return;
    }
    JsonNode messages = body.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      invalid(
          ex,
          "messages",
          messages == null
              ? "Missing required parameter: 'messages'."
              : "Invalid 'messages': expected a non-empty array.");
      return;
    }
    String modelName = modelNode.asText();
    ModelRuntime model = ex.provider().model(modelName);
    if (model == null) {
      error(
          ex,
          HttpResponseStatus.NOT_FOUND,
          "invalid_request_error",
          "model_not_found",
          null,
          "The model `" + modelName + "` does not exist or you do not have access to it.",
          null);
      return;
    }
    Integer maxTokens = null;
    for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
      JsonNode n = body.get(field);
      if (n != null && !n.isNull()) {
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1) {
          invalid(ex, field, "Invalid '" + field + "': expected an integer >= 1, got " + n + ".");
          return;
        }
        maxTokens = n.asInt();
        break;
      }
    }
    int promptTokens = 3;
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      if (!m.isObject() || !m.path("role").isTextual()) {
        invalid(
            ex,
            "messages[" + i + "]",
            "Invalid 'messages[" + i + "]': expected an object with a 'role'.");
        return;
      }
      promptTokens +=
          3
              + model.countTokens(m.get("role").asText())
              + model.countContentTokens(m.get("content"));
      if (m.path("name").isTextual()) {
        promptTokens += 1 + model.countTokens(m.get("name").asText());
      }
    }
    Tools.Offer offer = Tools.openAi(body);
    if (body.path("tools").isArray()) {
      promptTokens += model.countTokens(body.get("tools").toString());
    }
    int window = model.config().contextWindow();
    int requested = promptTokens + (maxTokens == null ? 0 : maxTokens);
    if (requested > window) {
      error(
          ex,
          HttpResponseStatus.BAD_REQUEST,
          "invalid_request_error",
          "context_length_exceeded",
          "messages",
          contextMessage(window, requested, promptTokens, maxTokens),
          null);
      ex.provider().ledger().record(key, modelName, false, 0, 0);
      return;
    }
    boolean stream = body.path("stream").asBoolean(false);
    boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
    Plan plan = model.plan(promptTokens, maxTokens, offer);
    FaultDecision faults = ex.provider().decide(modelName, plan.requestNumber());
    String id = "chatcmpl-forge" + ex.provider().nextId();
    long created = System.currentTimeMillis() / 1000;
    Chat chat = new Chat(ex, model, plan, faults, key, modelName, id, created, includeUsage);
    RateLimiter limiter = ex.provider().limiter();
    if (limiter.enabled()) {
      long cost = promptTokens + (maxTokens != null ? maxTokens : plan.completionTokens());
      RateLimiter.Outcome o = limiter.take(key, cost, System.nanoTime());
      chat.headers = limitHeaders(o);
      if (!o.allowed()) {
        ex.provider().ledger().record(key, modelName, false, 0, 0);
        long retry = Math.max(1, (long) Math.ceil(o.retryAfterSeconds()));
        chat.headers.set(HttpHeaderNames.RETRY_AFTER, Long.toString(retry));
        boolean requests = o.refusedBy().equals("requests");
        error(
            ex,
            HttpResponseStatus.TOO_MANY_REQUESTS,
            o.refusedBy(),
            "rate_limit_exceeded",
            null,
            "Rate limit reached for "
                + modelName
                + " on "
                + (requests ? "requests per min (RPM)" : "tokens per min (TPM)")
                + ": Limit "
                + (requests ? o.requestLimit() : o.tokenLimit())
                + (requests ? "" : ", Requested " + cost)
                + ". Please try again in "
                + seconds(o.retryAfterSeconds())
                + ".",
            chat.headers);
        return;
      }
    }
    chat.start(stream);
  }

  /** OpenAI's {@code x-ratelimit-*} headers for a limiter outcome. */
  static HttpHeaders limitHeaders(RateLimiter.Outcome o) {
    HttpHeaders h = new DefaultHttpHeaders();
    if (o.requestLimit() > 0) {
      h.set("x-ratelimit-limit-requests", Long.toString(o.requestLimit()));
      h.set("x-ratelimit-remaining-requests", Long.toString(o.requestsRemaining()));
      h.set("x-ratelimit-reset-requests", seconds(o.requestsResetSeconds()));
    }
    if (o.tokenLimit() > 0) {
      h.set("x-ratelimit-limit-tokens", Long.toString(o.tokenLimit()));
      h.set("x-ratelimit-remaining-tokens", Long.toString(o.tokensRemaining()));
      h.set("x-ratelimit-reset-tokens", seconds(o.tokensResetSeconds()));
    }
    return h;
  }

  /** Seconds as OpenAI writes them: {@code 120ms} or {@code 1.5s}. */
  static String seconds(double s) {
    if (s < 1) {
      return Math.round(s * 1000) + "ms";
    }
    return String.format(java.util.Locale.ROOT, "%.3fs", s).replaceAll("\\.?0+s$", "s");
  }

  /** Sends an error of {@code status} shaped like OpenAI's (429 with rate-limit headers). */
  static void statusError(Exchange ex, int status) {
    HttpResponseStatus s = HttpResponseStatus.valueOf(status);
    HttpHeaders extra = null;
    String type;
    String code = null;
    String message;
    switch (status) {
      case 400:
        type = "invalid_request_error";
        message = "Injected fault: bad request.";
        break;
      case 401:
        type = "invalid_request_error";
        code = "invalid_api_key";
        message = "Incorrect API key provided.";
        break;
      case 404:
        type = "invalid_request_error";
        code = "model_not_found";
        message = "The model does not exist or you do not have access to it.";
        break;
      case 429:
        type = "requests";
        code = "rate_limit_exceeded";
        message = "Rate limit reached for requests. Please try again in 1s.";
        extra = rateLimitHeaders(1, 0, 1);
        break;
      case 503:
        type = "server_error";
        message = "The engine is currently overloaded, please try again later.";
        break;
      default:
        type = "server_error";
        message =
            "The server had an error while processing your request. Sorry about that! (status "
                + status
                + ")";
        break;
    }
    error(ex, s, type, code, null, message, extra);
  }

  /** OpenAI-style rate-limit headers plus {@code Retry-After}. */
  static HttpHeaders rateLimitHeaders(long limit, long remaining, long resetSeconds) {
    HttpHeaders h = new DefaultHttpHeaders();
    h.set(HttpHeaderNames.RETRY_AFTER, Long.toString(resetSeconds));
    h.set("x-ratelimit-limit-requests", Long.toString(limit));
    h.set("x-ratelimit-remaining-requests", Long.toString(remaining));
    h.set("x-ratelimit-reset-requests", resetSeconds + "s");
    return h;
  }

  /** One chat completion, streamed or not. */
  private static final class Chat extends TokenStream {
    private final String id;
    private final long created;
    private final boolean includeUsage;

    Chat(
        Exchange ex,
        ModelRuntime runtime,
        Plan plan,
        FaultDecision faults,
        String key,
        String modelName,
        String id,
        long created,
        boolean includeUsage) {
      super(ex, runtime, plan, faults, key, modelName);
      this.id = id;
      this.created = created;
      this.includeUsage = includeUsage;
    }

    @Override
    void open() {}

    @Override
    void token(int i) {
      Tools.Tool tool = plan.tool();
      if (tool != null) {
        String piece = plan.pieces()[i];
        if (i == 0) {
          ex.chunk(
              delta(
                  g -> {
                    g.writeStringField("role", "assistant");
                    g.writeNullField("content");
                    g.writeArrayFieldStart("tool_calls");
                    g.writeStartObject();
                    g.writeNumberField("index", 0);
                    g.writeStringField("id", callId());
                    g.writeStringField("type", "function");
                    g.writeObjectFieldStart("function");
                    g.writeStringField("name", tool.name());
                    g.writeStringField("arguments", "");
                    g.writeEndObject();
                    g.writeEndObject();
                    g.writeEndArray();
                  },
                  null));
        }
        ex.chunk(
            delta(
                g -> {
                  g.writeArrayFieldStart("tool_calls");
                  g.writeStartObject();
                  g.writeNumberField("index", 0);
                  g.writeObjectFieldStart("function");
                  g.writeStringField("arguments", piece);
                  g.writeEndObject();
                  g.writeEndObject();
                  g.writeEndArray();
                },
                null));
        return;
      }
      if (i == 0) {
        ex.chunk(
            delta(
                g -> {
                  g.writeStringField("role", "assistant");
                  g.writeStringField("content", "");
                },
                null));
      }
      String piece = plan.pieces()[i];
      ex.chunk(delta(g -> g.writeStringField("content", piece), null));
    }

    @Override
    void close() {
      ex.chunk(delta(g -> {}, finishReason(plan)));
      if (includeUsage) {
        ex.chunk(
            Json.write(
                ex.ctx().alloc(),
                "data: ",
                g -> {
                  header(g);
                  g.writeArrayFieldStart("choices");
                  g.writeEndArray();
                  writeUsage(g, plan.promptTokens(), plan.completionTokens());
                  g.writeEndObject();
                },
                "\n\n"));
      }
      ex.chunk(Exchange.utf8("data: [DONE]\n\n"));
    }

    @Override
    ByteBuf errorFrame() {
      return Exchange.utf8(SERVER_ERROR_FRAME);
    }

    @Override
    ByteBuf malformedFrame() {
      return Exchange.utf8("data: {\"id\":\"" + id + "\",\"choices\":[{\"delta\":\n\n");
    }

    @Override
    void statusError(int status) {
      OpenAiApi.statusError(ex, status);
    }

    @Override
    ByteBuf body() {
      return Json.write(
          ex.ctx().alloc(),
          g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("object", "chat.completion");
            g.writeNumberField("created", created);
            g.writeStringField("model", model);
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeObjectFieldStart("message");
            g.writeStringField("role", "assistant");
            if (plan.tool() != null) {
              g.writeNullField("content");
              g.writeArrayFieldStart("tool_calls");
              g.writeStartObject();
              g.writeStringField("id", callId());
              g.writeStringField("type", "function");
              g.writeObjectFieldStart("function");
              g.writeStringField("name", plan.tool().name());
              g.writeStringField("arguments", plan.text());
              g.writeEndObject();
              g.writeEndObject();
              g.writeEndArray();
            } else {
              g.writeStringField("content", plan.text());
            }
            g.writeNullField("refusal");
            g.writeEndObject();
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", finishReason(plan));
            g.writeEndObject();
            g.writeEndArray();
            writeUsage(g, plan.promptTokens(), plan.completionTokens());
            g.writeStringField("system_fingerprint", "fp_forge");
            g.writeEndObject();
          });
    }

    private String callId() {
      return "call_forge" + id.substring(id.lastIndexOf('e') + 1);
    }

    private void header(JsonGenerator g) throws IOException {
      g.writeStartObject();
      g.writeStringField("id", id);
      g.writeStringField("object", "chat.completion.chunk");
      g.writeNumberField("created", created);
      g.writeStringField("model", model);
      g.writeStringField("system_fingerprint", "fp_forge");
    }

    private ByteBuf delta(Json.Body deltaFields, String finish) {
      return Json.write(
          ex.ctx().alloc(),
          "data: ",
          g -> {
            header(g);
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeObjectFieldStart("delta");
            deltaFields.write(g);
            g.writeEndObject();
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", finish);
            g.writeEndObject();
            g.writeEndArray();
            if (includeUsage) {
              g.writeNullField("usage");
            }
            g.writeEndObject();
          },
          "\n\n");
    }
  }

  static String finishReason(Plan plan) {
    if (plan.truncatedByMaxTokens()) {
      return "length";
    }
    return plan.tool() != null ? "tool_calls" : "stop";
  }

  static void writeUsage(JsonGenerator g, int prompt, int completion) throws IOException {
    g.writeObjectFieldStart("usage");
    g.writeNumberField("prompt_tokens", prompt);
    g.writeNumberField("completion_tokens", completion);
    g.writeNumberField("total_tokens", prompt + completion);
    g.writeEndObject();
  }

  static String contextMessage(int window, int requested, int prompt, Integer maxTokens) {
    return "This model's maximum context length is "
        + window
        + " tokens. However, you requested "
        + requested
        + " tokens ("
        + prompt
        + " in the messages, "
        + (maxTokens == null ? 0 : maxTokens)
        + " in the completion). Please reduce the length of the messages or completion.";
  }
}
