package dev.kumaforge.backends.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * OpenAI's other endpoints: {@code POST /v1/embeddings} and legacy {@code POST /v1/completions}.
 */
final class OpenAiExtras {
  private OpenAiExtras() {}

  /** Parses the common head of a request; answers the error and returns null when invalid. */
  private static ModelRuntime model(Exchange ex, JsonNode body) {
    if (body == null || !body.isObject()) {
      OpenAiApi.invalid(
          ex,
          null,
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't"
              + " using your HTTP library correctly. The OpenAI API expects a JSON payload.)");
      return null;
    }
    if (!body.path("model").isTextual()) {
      OpenAiApi.invalid(ex, "model", "you must provide a model parameter");
      return null;
    }
    String name = body.get("model").asText();
    ModelRuntime model = ex.provider().model(name);
    if (model == null) {
      OpenAiApi.error(
          ex,
          HttpResponseStatus.NOT_FOUND,
          "invalid_request_error",
          "model_not_found",
          null,
          "The model `" + name + "` does not exist or you do not have access to it.",
          null);
    }
    return model;
  }

  /** Strings of an {@code input}/{@code prompt} value (a string or a list of strings), or null. */
  private static List<String> strings(JsonNode value) {
    List<String> out = new ArrayList<>();
    if (value == null) {
      return null;
    }
    if (value.isTextual()) {
      out.add(value.asText());
      return out;
    }
    if (!value.isArray() || value.isEmpty()) {
      return null;
    }
    for (JsonNode v : value) {
      if (!v.isTextual()) {
        return null;
      }
      out.add(v.asText());
    }
    return out;
  }

  /** {@code POST /v1/embeddings}: deterministic unit vectors, answered after the prefill time. */
  static void embeddings(Exchange ex, FullHttpRequest req) {
    String key = OpenAiApi.authorize(ex, req);
    if (key == null) {
      return;
    }
    JsonNode body = Json.parse(req.content());
    ModelRuntime model = model(ex, body);
    if (model == null) {
      return;
    }
    List<String> inputs = strings(body.get("input"));
    if (inputs == null) {
      OpenAiApi.invalid(ex, "input", "'input' must be a string or a non-empty array of strings.");
      return;
    }
    int dims = model.config().embeddingDimensions();
    JsonNode d = body.get("dimensions");
    if (d != null && !d.isNull()) {
      if (!d.isIntegralNumber() || d.asInt() < 1 || d.asInt() > dims) {
        OpenAiApi.invalid(
            ex,
            "dimensions",
            "'dimensions' must be an integer in 1 .. " + dims + ", got " + d + ".");
        return;
      }
      dims = d.asInt();
    }
    int tokens = 0;
    for (String s : inputs) {
      tokens += model.countTokens(s);
    }
    int promptTokens = tokens;
    int dimensions = dims;
    String modelName = model.config().name();
    Plan plan = model.plan(promptTokens, 1);
    ex.atOffset(
        plan.ttftNanos(),
        () -> {
          ByteBuf out =
              Json.write(
                  ex.ctx().alloc(),
                  g -> {
                    g.writeStartObject();
                    g.writeStringField("object", "list");
                    g.writeArrayFieldStart("data");
                    for (int i = 0; i < inputs.size(); i++) {
                      g.writeStartObject();
                      g.writeStringField("object", "embedding");
                      g.writeNumberField("index", i);
                      g.writeArrayFieldStart("embedding");
                      for (float f : vector(inputs.get(i), dimensions)) {
                        g.writeNumber(f);
                      }
                      g.writeEndArray();
                      g.writeEndObject();
                    }
                    g.writeEndArray();
                    g.writeStringField("model", modelName);
                    g.writeObjectFieldStart("usage");
                    g.writeNumberField("prompt_tokens", promptTokens);
                    g.writeNumberField("total_tokens", promptTokens);
                    g.writeEndObject();
                    g.writeEndObject();
                  });
          ex.provider().ledger().record(key, modelName, true, promptTokens, 0);
          ex.respond(HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON, out);
        });
  }

  /** A unit vector that depends only on {@code text} and {@code dims}. */
  static float[] vector(String text, int dims) {
    SplittableRandom r = new SplittableRandom(ModelRuntime.mix(text.hashCode() * 31L + dims));
    double[] v = new double[dims];
    double norm = 0;
    for (int i = 0; i < dims; i++) {
      v[i] = ModelRuntime.gaussian(r);
      norm += v[i] * v[i];
    }
    norm = Math.sqrt(norm);
    float[] out = new float[dims];
    for (int i = 0; i < dims; i++) {
      out[i] = (float) (v[i] / norm);
    }
    return out;
  }

  /** Legacy {@code POST /v1/completions}, streamed or not; max_tokens defaults to 16. */
  static void completions(Exchange ex, FullHttpRequest req) {
    String key = OpenAiApi.authorize(ex, req);
    if (key == null) {
      return;
    }
    JsonNode body = Json.parse(req.content());
    ModelRuntime model = model(ex, body);
    if (model == null) {
      return;
    }
    List<String> prompts = strings(body.get("prompt"));
    if (prompts == null) {
      OpenAiApi.invalid(ex, "prompt", "'prompt' must be a string or a non-empty array of strings.");
      return;
    }
    int maxTokens = 16;
    JsonNode m = body.get("max_tokens");
    if (m != null && !m.isNull()) {
      if (!m.isIntegralNumber() || m.asInt() < 1) {
        OpenAiApi.invalid(ex, "max_tokens", "Invalid 'max_tokens': expected an integer >= 1.");
        return;
      }
      maxTokens = m.asInt();
    }
    int promptTokens = 0;
    for (String p : prompts) {
      promptTokens += model.countTokens(p);
    }
    String modelName = model.config().name();
    int window = model.config().contextWindow();
    if (promptTokens + maxTokens > window) {
      OpenAiApi.error(
          ex,
          HttpResponseStatus.BAD_REQUEST,
          "invalid_request_error",
          "context_length_exceeded",
          "prompt",
          OpenAiApi.contextMessage(window, promptTokens + maxTokens, promptTokens, maxTokens),
          null);
      return;
    }
    Plan plan = model.plan(promptTokens, maxTokens);
    FaultDecision faults = ex.provider().decide(modelName, plan.requestNumber());
    String id = "cmpl-forge" + ex.provider().nextId();
    long created = System.currentTimeMillis() / 1000;
    new TextCompletion(ex, model, plan, faults, key, modelName, id, created)
        .start(body.path("stream").asBoolean(false));
  }

  /** One legacy text completion. */
  private static final class TextCompletion extends TokenStream {
    private final String id;
    private final long created;

    TextCompletion(
        Exchange ex,
        ModelRuntime runtime,
        Plan plan,
        FaultDecision faults,
        String key,
        String modelName,
        String id,
        long created) {
      super(ex, runtime, plan, faults, key, modelName);
      this.id = id;
      this.created = created;
    }

    @Override
    void open() {}

    @Override
    void token(int i) {
      ex.chunk(frame(plan.pieces()[i], null, false));
    }

    @Override
    void close() {
      ex.chunk(frame("", plan.truncatedByMaxTokens() ? "length" : "stop", false));
      ex.chunk(Exchange.utf8("data: [DONE]\n\n"));
    }

    @Override
    ByteBuf errorFrame() {
      return Exchange.utf8(OpenAiApi.SERVER_ERROR_FRAME);
    }

    @Override
    ByteBuf malformedFrame() {
      return Exchange.utf8("data: {\"id\":\"" + id + "\",\"choices\":[{\"text\":\n\n");
    }

    @Override
    void statusError(int status) {
      OpenAiApi.statusError(ex, status);
    }

    @Override
    ByteBuf body() {
      return frame(plan.text(), plan.truncatedByMaxTokens() ? "length" : "stop", true);
    }

    private ByteBuf frame(String text, String finish, boolean whole) {
      return Json.write(
          ex.ctx().alloc(),
          whole ? "" : "data: ",
          g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("object", "text_completion");
            g.writeNumberField("created", created);
            g.writeStringField("model", model);
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeStringField("text", text);
            g.writeNumberField("index", 0);
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", finish);
            g.writeEndObject();
            g.writeEndArray();
            if (whole) {
              OpenAiApi.writeUsage(g, plan.promptTokens(), plan.completionTokens());
            }
            g.writeEndObject();
          },
          whole ? "" : "\n\n");
    }
  }
}
