package dev.kumaforge.gateway.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kumaforge.gateway.ai.context.Session;
import dev.kumaforge.gateway.ai.context.Trimmer;
import dev.kumaforge.gateway.ai.masking.Masker;
import dev.kumaforge.gateway.ai.tokens.TokenCounter;
import dev.kumaforge.gateway.ai.translate.Anthropic;
import dev.kumaforge.gateway.ai.translate.AnthropicPassthroughStream;
import dev.kumaforge.gateway.ai.translate.AnthropicToOpenAiStream;
import dev.kumaforge.gateway.ai.translate.OpenAiStream;
import dev.kumaforge.gateway.ai.translate.StreamRelay;
import dev.kumaforge.gateway.ai.translate.StreamTranslator;
import dev.kumaforge.gateway.ai.translate.Usage;
import dev.kumaforge.gateway.ai.translate.Wire;
import dev.kumaforge.gateway.config.AiConfig;
import dev.kumaforge.gateway.consumer.ConsumerConfig;
import dev.kumaforge.gateway.internal.Headers;
import dev.kumaforge.gateway.internal.TryTimer;
import dev.kumaforge.gateway.proxy.ProxyContext;
import dev.kumaforge.gateway.proxy.Snapshot;
import dev.kumaforge.gateway.upstream.BackendRuntime;
import dev.kumaforge.gateway.upstream.Endpoint;
import dev.kumaforge.gateway.upstream.UpstreamFailure;
import dev.kumaforge.gateway.upstream.UpstreamQueue;
import dev.kumaforge.gateway.upstream.netty.LoopDispatchers;
import io.netty.util.Timeout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * One LLM request: admission (limits, budget), session history and trimming, then the candidate
 * deployments in order until one answers; fallbacks happen only before any content reached the
 * client.
 */
final class Call {
  /** The endpoint called. */
  enum Kind {
    CHAT,
    EMBEDDINGS,
    MESSAGES,
    UNKNOWN
  }

  private static final String ANTHROPIC_VERSION = "2023-06-01";

  /** The start of the system message that carries a session's summary of dropped turns. */
  static final String SUMMARY_PREFIX = "Summary of the earlier conversation: ";

  private static final long MAX_ERROR_BODY = 1L << 20;

  private final AiGateway gw;
  private final ProxyContext ctx;
  private final Snapshot snap;
  private final ConsumerConfig consumer;
  private final Kind kind;

  /** The client's request; null once a stream answers (kept by the call for the whole stream). */
  private HttpRequest request;

  private final long start;
  private final boolean anthropicClient;
  private final CompletableFuture<HttpResponse> result = new CompletableFuture<>();
  private final Masker masker;
  private final List<Pattern> denyPatterns;
  private final AiGateway.Compiled compiled;
  private String cacheKey;
  private final AtomicBoolean settled = new AtomicBoolean();
  private ObjectNode body;
  private String aliasName;
  private boolean stream;
  private boolean clientWantsUsage;
  private List<AiGateway.Candidate> candidates;
  private int next;
  private int refusedRetries;
  private long estimate;
  private Accounting.Admission admission;
  private String sessionId;
  private List<JsonNode> messages;
  private List<JsonNode> sent;

  /** The prompt tokens to charge when a stream reports no usage, fixed when the stream answers. */
  private long streamPromptEstimate = -1;

  private HttpResponse lastError;
  private String lastReason;

  Call(
      AiGateway gw,
      Snapshot snap,
      ConsumerConfig consumer,
      Kind kind,
      HttpRequest request,
      long start,
      AiGateway.Compiled compiled) {
    this.compiled = compiled;
    this.masker = compiled.masker();
    this.denyPatterns = compiled.denyPatterns();
    this.gw = gw;
    this.ctx = gw.ctx();
    this.snap = snap;
    this.consumer = consumer;
    this.kind = kind;
    this.request = request;
    this.start = start;
    this.anthropicClient = kind == Kind.MESSAGES;
  }

  private HttpResponse bad(String message) {
    return AiGateway.error(
        anthropicClient, 400, "invalid_request_error", "invalid_request", message);
  }

  CompletionStage<HttpResponse> run(String text) {
    JsonNode parsed = Wire.parse(text);
    if (parsed == null || !parsed.isObject()) {
      return AiGateway.done(bad("the request body is not a JSON object"));
    }
    body = (ObjectNode) parsed;
    if (!body.path("model").isTextual()) {
      return AiGateway.done(bad("model: required (a model alias from GET /v1/models)"));
    }
    AiConfig ai = snap.config().ai();
    AiConfig.ModelAlias alias = ai.model(body.get("model").asText());
    if (alias == null) {
      return AiGateway.done(
          AiGateway.error(
              anthropicClient,
              404,
              anthropicClient ? "not_found_error" : "invalid_request_error",
              "model_not_found",
              "model: '"
                  + body.get("model").asText()
                  + "' is not in the catalog (GET /v1/models)"));
    }
    aliasName = alias.name();
    String denied = denied();
    if (denied != null) {
      gw.metrics().request(aliasName, consumer.name(), 400);
      return AiGateway.done(
          AiGateway.error(
              anthropicClient,
              400,
              "invalid_request_error",
              "prompt_denied",
              "the prompt matches deny pattern " + denied + " of the gateway's prompt guard"));
    }
    if (!masker.isEmpty()) {
      mask();
    }
    if (gw.responses() != null
        && kind != Kind.MESSAGES
        && !body.path("stream").asBoolean(false)
        && request.getHeader(snap.config().ai().sessions().header()).isEmpty()) {
      cacheKey = consumer.name() + '\u0000' + request.getUri().path() + '\u0000' + body;
      String hit = gw.responses().getIfPresent(cacheKey);
      gw.metrics().responseCache(hit != null);
      if (hit != null) {
        gw.metrics().request(aliasName, consumer.name(), 200);
        return AiGateway.done(
            AiGateway.json(200, hit).addHeader(RawHeader.create("x-forge-cache", "hit")));
      }
    }
    stream = body.path("stream").asBoolean(false);
    clientWantsUsage = body.path("stream_options").path("include_usage").asBoolean(false);
    candidates = new ArrayList<>();
    for (AiGateway.Candidate c : gw.candidates(ai, alias)) {
      AiConfig.Style style = c.deployment().style();
      if ((kind == Kind.MESSAGES && style != AiConfig.Style.anthropic)
          || (kind == Kind.EMBEDDINGS && style != AiConfig.Style.openai)) {
        continue;
      }
      candidates.add(c);
    }
    if (candidates.isEmpty()) {
      return AiGateway.done(
          bad(
              "model '"
                  + aliasName
                  + "' has no "
                  + (kind == Kind.MESSAGES ? "anthropic" : "openai")
                  + "-style deployment for "
                  + request.getUri().path()));
    }
    if (kind == Kind.CHAT) {
      if (!body.path("messages").isArray() || body.get("messages").isEmpty()) {
        return AiGateway.done(bad("messages: required, a non-empty array"));
      }
      messages = new ArrayList<>();
      String header = ai.sessions().header();
      sessionId = request.getHeader(header).map(HttpHeader::value).orElse(null);
      if (sessionId != null) {
        if (sessionId.isEmpty() || sessionId.length() > 200) {
          return AiGateway.done(bad(header + ": 1 to 200 characters"));
        }
        // the memory store answers at once: no hop; Redis's answer continues on the dispatcher
        return AiGateway.handleNow(
                gw.sessions().get(sessionId),
                (s, err) -> {
                  if (err != null) {
                    return AiGateway.done(
                        AiGateway.error(
                            false,
                            503,
                            "server_error",
                            "session_store_unavailable",
                            "the session store failed: " + rootMessage(err)));
                  }
                  if (s != null && !s.consumer().equals(consumer.name())) {
                    return AiGateway.done(
                        AiGateway.error(
                            false,
                            404,
                            "invalid_request_error",
                            "session_not_found",
                            header + ": no session with this id for this consumer"));
                  }
                  if (s != null) {
                    messages.addAll(s.messages());
                  }
                  body.get("messages").forEach(messages::add);
                  return admitAndSend();
                },
                ctx.dispatcher())
            .thenCompose(x -> x);
      }
      body.get("messages").forEach(messages::add);
    }
    return admitAndSend();
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  private CompletionStage<HttpResponse> admitAndSend() {
    AiConfig.Trimming trimming = snap.config().ai().sessions().trimming();
    if (sessionId != null && trimming.strategy() == AiConfig.TrimStrategy.summarize) {
      Trimmer.Result t = trim(candidates.get(0).deployment());
      if (t.dropped() > 0) {
        return summarize(trimming.summarizer(), t).thenCompose(x -> admitAndSendNow());
      }
    }
    return admitAndSendNow();
  }

  /**
   * Replaces the turns that do not fit (and an earlier summary) by one system message summarising
   * them, written by the summarizer model through this gateway (limits, fallbacks and the
   * consumer's costs apply). When the summary cannot be had, the turns are simply dropped.
   */
  private CompletionStage<Void> summarize(AiConfig.Summarizer s, Trimmer.Result fit) {
    java.util.Set<JsonNode> kept =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    kept.addAll(fit.messages());
    StringBuilder transcript = new StringBuilder();
    JsonNode previous = null;
    for (JsonNode m : messages) {
      if (isSummary(m)) {
        previous = m;
        transcript
            .append("Earlier summary: ")
            .append(m.path("content").asText().substring(SUMMARY_PREFIX.length()))
            .append('\n');
      } else if (!kept.contains(m)) {
        List<String> texts = new ArrayList<>();
        collectText(m, texts);
        transcript.append(m.path("role").asText("user")).append(": ");
        transcript.append(String.join(" ", texts)).append('\n');
      }
    }
    ObjectNode req = Wire.MAPPER.createObjectNode();
    req.put("model", s.model());
    req.put("max_tokens", s.maxTokens());
    ArrayNode msgs = req.putArray("messages");
    msgs.addObject().put("role", "system").put("content", s.prompt());
    msgs.addObject().put("role", "user").put("content", transcript.toString());
    String text = req.toString();
    HttpRequest internal =
        HttpRequest.POST(request.getUri().path())
            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, text));
    JsonNode old = previous;
    long timeoutMs = 120_000;
    return new Call(gw, snap, consumer, Kind.CHAT, internal, ctx.clock().nanoTime(), compiled)
        .run(text)
        .thenCompose(
            r ->
                r.entity()
                    .toStrict(timeoutMs, ctx.materializer())
                    .thenApply(e -> r.status().intValue() == 200 ? e.getData().utf8String() : null))
        .handleAsync(
            (answer, err) -> {
              JsonNode parsed = answer == null ? null : Wire.parse(answer);
              String summary =
                  parsed == null
                      ? ""
                      : parsed.path("choices").path(0).path("message").path("content").asText("");
              if (err != null || summary.isBlank()) {
                gw.metrics().summary("failed");
                return null;
              }
              List<JsonNode> rebuilt = new ArrayList<>();
              for (JsonNode m : messages) {
                if (m != old && isSystemMessage(m)) {
                  rebuilt.add(m);
                }
              }
              rebuilt.add(
                  Wire.MAPPER
                      .createObjectNode()
                      .put("role", "system")
                      .put("content", SUMMARY_PREFIX + summary));
              for (JsonNode m : fit.messages()) {
                if (!isSystemMessage(m)) {
                  rebuilt.add(m);
                }
              }
              messages = rebuilt;
              gw.metrics().summary("ok");
              return null;
            },
            ctx.dispatcher());
  }

  private static boolean isSummary(JsonNode m) {
    return "system".equals(m.path("role").asText())
        && m.path("content").asText("").startsWith(SUMMARY_PREFIX);
  }

  private static boolean isSystemMessage(JsonNode m) {
    String role = m.path("role").asText();
    return "system".equals(role) || "developer".equals(role);
  }

  private CompletionStage<HttpResponse> admitAndSendNow() {
    estimate = estimate(candidates.get(0).deployment());
    if (gw.accounting().isShared()) {
      // decided on a Lettuce or timer thread; the call goes on on the dispatcher
      return gw.accounting()
          .admitAsync(consumer, estimate)
          .thenComposeAsync(this::admitted, ctx.dispatcher());
    }
    return admitted(new Accounting.Admission(gw.accounting().admit(consumer, estimate), false));
  }

  private CompletionStage<HttpResponse> admitted(Accounting.Admission a) {
    admission = a;
    Accounting.Refusal refusal = a.refusal();
    if (refusal != null) {
      gw.metrics().request(aliasName, consumer.name(), refusal.status());
      return AiGateway.done(
          AiGateway.error(
              anthropicClient,
              refusal.status(),
              refusal.status() == 429 ? "rate_limit_error" : "api_error",
              refusal.code(),
              refusal.message(),
              refusal.retryAfterSeconds()));
    }
    attempt();
    return result;
  }

  /**
   * The index of the first deny pattern a prompt text matches ({@code denyPatterns[i]}), or null.
   */
  private String denied() {
    if (denyPatterns.isEmpty()) {
      return null;
    }
    List<String> texts = new ArrayList<>();
    collectText(body.get("messages"), texts);
    collectText(body.get("system"), texts);
    collectText(body.get("input"), texts);
    for (int i = 0; i < denyPatterns.size(); i++) {
      for (String t : texts) {
        if (denyPatterns.get(i).matcher(t).find()) {
          return "ai.denyPatterns[" + i + "]";
        }
      }
    }
    return null;
  }

  private static void collectText(JsonNode n, List<String> out) {
    if (n == null) {
      return;
    }
    if (n.isTextual()) {
      out.add(n.asText());
    } else if (n.isArray()) {
      n.forEach(x -> collectText(x, out));
    } else if (n.isObject()) {
      collectText(n.get("content"), out);
      collectText(n.get("text"), out);
    }
  }

  /** Masks the prompt in place before anything is stored or sent. */
  private void mask() {
    Map<Masker.Kind, Integer> counts = masker.maskMessages(body.get("messages"));
    masker.maskField(body, "system", counts);
    JsonNode input = body.get("input");
    if (input != null && input.isTextual()) {
      masker.maskField(body, "input", counts);
    } else if (input instanceof ArrayNode items) {
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i).isTextual()) {
          items.set(i, items.textNode(masker.mask(items.get(i).asText(), counts)));
        }
      }
    }
    counts.forEach((k, n) -> gw.metrics().masked(k.name(), n));
  }

  private int maxTokens(AiConfig.Deployment d) {
    JsonNode m = body.path("max_completion_tokens");
    if (!m.isNumber()) {
      m = body.path("max_tokens");
    }
    return m.isNumber() ? Math.min(m.asInt(), d.maxOutput()) : d.maxOutput();
  }

  private long estimate(AiConfig.Deployment d) {
    TokenCounter tc = gw.tokens();
    return switch (kind) {
      case CHAT -> tc.messages(d.encoding(), trim(d).messages()) + maxTokens(d);
      case MESSAGES -> {
        long n = TokenCounter.REPLY_PRIMING + tc.text(d.encoding(), body.path("system").asText(""));
        for (JsonNode m : body.path("messages")) {
          n += tc.message(d.encoding(), m);
        }
        yield n + maxTokens(d);
      }
      default -> {
        JsonNode in = body.path("input");
        long n = 0;
        if (in.isArray()) {
          for (JsonNode s : in) {
            n += tc.text(d.encoding(), s.asText(""));
          }
        } else {
          n = tc.text(d.encoding(), in.asText(""));
        }
        yield n;
      }
    };
  }

  /** The messages for {@code d}: session conversations are trimmed to its window. */
  private Trimmer.Result trim(AiConfig.Deployment d) {
    if (sessionId == null) {
      return new Trimmer.Result(messages, 0, 0);
    }
    TokenCounter tc = gw.tokens();
    return Trimmer.fit(
        messages,
        d.contextWindow() - maxTokens(d),
        TokenCounter.REPLY_PRIMING,
        m -> tc.message(d.encoding(), m));
  }

  private void attempt() {
    if (next >= candidates.size()) {
      settle(null, null, 0);
      HttpResponse r =
          lastError != null
              ? lastError
              : AiGateway.error(
                  anthropicClient,
                  502,
                  anthropicClient ? "api_error" : "server_error",
                  "upstream_failed",
                  "every deployment of model '" + aliasName + "' failed: " + lastReason);
      gw.metrics().request(aliasName, consumer.name(), r.status().intValue());
      result.complete(r);
      return;
    }
    AiGateway.Candidate c = candidates.get(next++);
    AiConfig.Deployment d = c.deployment();
    BackendRuntime backend = snap.backends().get(d.backend());
    long now = ctx.clock().nanoTime();
    Endpoint ep = backend == null ? null : backend.pick(request, now);
    if (ep == null) {
      fallback(d, "no_endpoint", "backend " + d.backend() + " has no available endpoint");
      return;
    }
    HttpRequest upstream = upstreamRequest(d, ep);
    Attempt a = new Attempt(d, ep);
    gw.stats(d).inFlight().incrementAndGet();
    Duration timeout =
        backend.config().retry().perTryTimeout() != null
            ? backend.config().retry().perTryTimeout()
            : backend.config().timeouts().http().requestTimeout();
    // a hashed wheel, not Pekko's scheduler: a cancelled Pekko task stays in its wheel (and
    // survives young collections) until its slot comes round
    a.timer =
        TryTimer.schedule(
            t ->
                ctx.dispatcher()
                    .execute(
                        () -> {
                          if (a.decide()) {
                            a.cancelStream();
                            a.abortTry();
                            a.release();
                            fallback(d, "timeout", "no content within " + timeout);
                          }
                        }),
            timeout.toNanos());
    // the backend's per-endpoint request queue in front of its connection pool (as the proxy
    // path): no per-request pool lookup. The result is handled on the thread that delivers it, as
    // the proxy path's Exchange does, without a dispatcher task in between: the upstream
    // connection's Netty event loop, or the stream stage of Pekko's host pool. Nothing below
    // blocks there: reading a strict answer, the local accounting (short synchronized sections;
    // the shared one only starts Redis commands), metrics, materializing a stream's relay, the
    // next candidate's offer; whatever waits on Redis or a stream continues on the dispatcher.
    int index = backend.indexOf(ep);
    UpstreamQueue.Callback callback =
        new UpstreamQueue.Callback() {
          @Override
          public void onResult(scala.util.Try<HttpResponse> t) {
            guard(
                () -> {
                  if (t.isFailure()) {
                    Throwable err = t.failed().get();
                    if (a.decide()) {
                      a.release();
                      if (refusedAgain(d, err)) {
                        return;
                      }
                      fallback(
                          d, "connect", err.getClass().getSimpleName() + ": " + err.getMessage());
                    }
                  } else {
                    onResponse(a, t.get());
                  }
                });
          }

          @Override
          public boolean attached(Runnable abort) {
            a.abort = abort;
            return !a.decided.get();
          }
        };
    UpstreamQueue queue = backend.queue(index, e -> ctx.newQueue(backend, e));
    UpstreamQueue.Offer offer = queue.offer(upstream, callback);
    if (offer == UpstreamQueue.Offer.CLOSED) {
      queue = backend.replaceQueue(index, queue, e -> ctx.newQueue(backend, e));
      offer = queue.offer(upstream, callback);
    }
    if (offer != UpstreamQueue.Offer.ENQUEUED && a.decide()) {
      a.release();
      fallback(d, "pool_overflow", "the request queue of backend " + d.backend() + " is full");
    }
  }

  private void onResponse(Attempt a, HttpResponse resp) {
    if (a.decided.get()) {
      resp.discardEntityBytes(ctx.materializer());
      return;
    }
    int status = resp.status().intValue();
    if (status == 200 && stream && isEventStream(resp)) {
      streamAttempt(a, resp);
    } else if (status == 200) {
      strictAttempt(a, resp);
    } else {
      errorAttempt(a, resp);
    }
  }

  private static boolean isEventStream(HttpResponse resp) {
    return resp.entity().getContentType().mediaType().toString().startsWith("text/event-stream");
  }

  private HttpRequest upstreamRequest(AiConfig.Deployment d, Endpoint ep) {
    ObjectNode out;
    String path;
    boolean openai = d.style() == AiConfig.Style.openai;
    switch (kind) {
      case CHAT -> {
        Trimmer.Result t = trim(d);
        sent = t.messages();
        if (t.dropped() > 0) {
          gw.metrics().trimmed(d.model(), t.dropped());
        }
        ObjectNode openAi = body.deepCopy();
        ArrayNode ms = openAi.putArray("messages");
        sent.forEach(ms::add);
        if (openai) {
          out = openAi;
          out.put("model", d.model());
          if (stream && !clientWantsUsage) {
            out.putObject("stream_options").put("include_usage", true);
          }
          path = "/v1/chat/completions";
        } else {
          out = Anthropic.request(openAi, d.model(), maxTokens(d), stream);
          path = "/v1/messages";
        }
      }
      case EMBEDDINGS -> {
        out = body.deepCopy();
        out.put("model", d.model());
        path = "/v1/embeddings";
      }
      default -> {
        out = body.deepCopy();
        out.put("model", d.model());
        path = "/v1/messages";
      }
    }
    List<HttpHeader> headers = new ArrayList<>(3);
    if (openai) {
      if (d.apiKey() != null) {
        headers.add(RawHeader.create("Authorization", "Bearer " + d.apiKey()));
      }
    } else {
      if (d.apiKey() != null) {
        headers.add(RawHeader.create("x-api-key", d.apiKey()));
      }
      headers.add(
          RawHeader.create(
              "anthropic-version",
              request
                  .getHeader("anthropic-version")
                  .map(HttpHeader::value)
                  .orElse(ANTHROPIC_VERSION)));
    }
    request.getHeader("x-request-id").ifPresent(headers::add);
    // the mTLS client's SPIFFE ID, set by the proxy path (a client-sent one never gets here)
    request.getHeader(Headers.CLIENT_IDENTITY).ifPresent(headers::add);
    return HttpRequest.create(path)
        .withMethod(HttpMethods.POST)
        .withHeaders(headers)
        .withEntity(
            HttpEntities.create(
                ContentTypes.APPLICATION_JSON, out.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The upstream refused the try's HTTP/2 stream unprocessed ({@link
   * UpstreamFailure#REFUSED_STREAM}): the same deployment is tried again at once, at most {@link
   * UpstreamFailure#REFUSED_RETRIES} times per call, before any fallback; true when it was.
   */
  private boolean refusedAgain(AiConfig.Deployment d, Throwable err) {
    if (UpstreamFailure.classify(err) != UpstreamFailure.REFUSED_STREAM
        || refusedRetries >= UpstreamFailure.REFUSED_RETRIES) {
      return false;
    }
    refusedRetries++;
    ctx.metrics().refusedRetry(d.backend());
    next--; // the candidate of this try
    attempt();
    return true;
  }

  /** Tries the next candidate after {@code d} failed without an error answer. */
  private void fallback(AiConfig.Deployment d, String reason, String detail) {
    fallback(d, reason, detail, null);
  }

  /** Tries the next candidate; the last failure is what the client gets when none is left. */
  private void fallback(
      AiConfig.Deployment d, String reason, String detail, HttpResponse errorAnswer) {
    lastError = errorAnswer;
    lastReason = d.label() + ": " + detail;
    if (next < candidates.size()) {
      gw.metrics().fallback(aliasName, d.label(), reason);
    }
    attempt();
  }

  private static boolean contextLength(int status, String body) {
    return status == 400
        && (body.contains("context_length_exceeded")
            || body.contains("prompt is too long")
            || body.contains("maximum context length"));
  }

  private void errorAttempt(Attempt a, HttpResponse resp) {
    int status = resp.status().intValue();
    whenDone(
        AiGateway.toStrict(resp.entity(), 10_000, MAX_ERROR_BODY, ctx.materializer()),
        (strict, err) ->
            guard(
                () -> {
                  if (!a.decide()) {
                    return;
                  }
                  a.release();
                  String text = err == null ? strict.getData().utf8String() : "";
                  boolean retryable = status == 429 || status >= 500 || contextLength(status, text);
                  HttpResponse clientError = clientError(a.d, status, text, resp);
                  if (retryable) {
                    fallback(
                        a.d,
                        status == 429
                            ? "rate_limited"
                            : status >= 500 ? "status_5xx" : "context_length",
                        "HTTP " + status + " " + Wire.errorMessage(text),
                        clientError);
                  } else {
                    settle(null, null, 0);
                    gw.metrics().request(aliasName, consumer.name(), status);
                    result.complete(clientError);
                  }
                }));
  }

  /** The provider's error in the client's format (same status). */
  private HttpResponse clientError(
      AiConfig.Deployment d, int status, String text, HttpResponse resp) {
    boolean sameShape = (d.style() == AiConfig.Style.anthropic) == anthropicClient;
    HttpResponse r;
    if (sameShape && Wire.parse(text) != null) {
      r = AiGateway.json(status, text);
    } else {
      r =
          AiGateway.error(
              anthropicClient,
              status,
              status == 429
                  ? "rate_limit_error"
                  : status >= 500
                      ? (anthropicClient ? "api_error" : "server_error")
                      : "invalid_request_error",
              contextLength(status, text) ? "context_length_exceeded" : "upstream_error",
              d.label() + ": " + Wire.errorMessage(text));
    }
    return resp.getHeader("retry-after").map(r::addHeader).orElse(r);
  }

  private void strictAttempt(Attempt a, HttpResponse resp) {
    whenDone(
        AiGateway.toStrict(
            resp.entity(),
            Math.max(1, a.remainingMillis()),
            AiGateway.MAX_BODY,
            ctx.materializer()),
        (strict, err) ->
            guard(
                () -> {
                  if (!a.decide()) {
                    return;
                  }
                  a.release();
                  String text = err == null ? strict.getData().utf8String() : null;
                  JsonNode json = text == null ? null : Wire.parse(text);
                  if (json == null || !json.isObject()) {
                    fallback(
                        a.d,
                        "malformed",
                        err != null
                            ? "reading the answer: " + err.getMessage()
                            : "answer is not JSON");
                    return;
                  }
                  String out;
                  Usage usage;
                  ObjectNode assistant = null;
                  if (kind == Kind.CHAT && a.d.style() == AiConfig.Style.anthropic) {
                    ObjectNode translated =
                        Anthropic.response(json, ctx.clock().currentTimeMillis() / 1000);
                    out = translated.toString();
                    usage = Anthropic.usage(json);
                    if (sessionId != null) {
                      assistant = Anthropic.assistant(translated);
                    }
                  } else if (kind == Kind.MESSAGES) {
                    out = text;
                    usage = Anthropic.usage(json);
                  } else {
                    out = text;
                    JsonNode u = json.path("usage");
                    usage =
                        new Usage(
                            u.path("prompt_tokens").asLong(), u.path("completion_tokens").asLong());
                    if (kind == Kind.CHAT && sessionId != null) {
                      assistant = Anthropic.assistant(json);
                    }
                  }
                  double ttft = (ctx.clock().nanoTime() - start) / 1e9;
                  gw.stats(a.d).ttft(ttft * 1000);
                  gw.metrics().ttft(a.d.model(), ttft);
                  settle(a.d, usage, 0);
                  HttpResponse r = AiGateway.json(200, out);
                  if (cacheKey != null) {
                    gw.responses().put(cacheKey, out);
                  }
                  if (sessionId == null) {
                    // nothing to store: no hop through the dispatcher
                    gw.metrics().request(aliasName, consumer.name(), 200);
                    result.complete(r);
                    return;
                  }
                  // the memory store answers at once (no hop); Redis on the dispatcher
                  whenDone(
                      storeAnswer(assistant),
                      (v, storeErr) -> {
                        HttpResponse answer = storeErr == null ? r : sessionLost(storeErr);
                        gw.metrics()
                            .request(aliasName, consumer.name(), answer.status().intValue());
                        result.complete(answer);
                      });
                }));
  }

  /**
   * Runs {@code k} at once when {@code stage} is complete already (on the calling thread: no hop),
   * else on the dispatcher when it completes (the completing thread may be Lettuce's, a timer's or
   * one of Pekko's internal stream threads, which never run the call's work).
   */
  private <T> void whenDone(
      CompletionStage<T> stage, java.util.function.BiConsumer<? super T, ? super Throwable> k) {
    AiGateway.handleNow(
        stage,
        (v, e) -> {
          k.accept(v, e);
          return null;
        },
        ctx.dispatcher());
  }

  private HttpResponse sessionLost(Throwable err) {
    return AiGateway.error(
        false,
        503,
        "server_error",
        "session_store_unavailable",
        "the answer could not be stored in the session, so it is not returned: "
            + rootMessage(err));
  }

  /** Stores the assistant's answer in the session; the stage fails when the store failed. */
  private CompletionStage<Void> storeAnswer(ObjectNode assistant) {
    if (sessionId == null || assistant == null) {
      return CompletableFuture.completedFuture(null);
    }
    List<JsonNode> history = new ArrayList<>(sent);
    history.add(assistant);
    try {
      return gw.storeSession(sessionId, new Session(consumer.name(), history));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void streamAttempt(Attempt a, HttpResponse resp) {
    StreamTranslator t =
        kind == Kind.MESSAGES
            ? new AnthropicPassthroughStream()
            : a.d.style() == AiConfig.Style.openai
                ? new OpenAiStream(clientWantsUsage, sessionId != null)
                : new AnthropicToOpenAiStream(
                    clientWantsUsage, ctx.clock().currentTimeMillis() / 1000);
    StreamRelay relay = new StreamRelay(t);
    a.relay = relay;
    // the relay's upstream side runs on the upstream connection's loop when called there (pinned
    // loops): each chunk then goes from the socket read through the translator to the client's
    // stage (on the same loop) as queued tasks, without a thread wake-up per chunk
    String loop = LoopDispatchers.currentId();
    LoopDispatchers.materialize(
        resp.entity().getDataBytes().to(relay.sink()), loop, ctx.materializer());
    if (a.decided.get()) {
      relay.cancel();
      return;
    }
    // one hand-over per stream: the relay reports the first content (or an end before any). The
    // first content is answered at once, on the thread that saw it (the upstream body's stream, or
    // this one): no dispatcher task between the provider's first token and the client's. An end
    // before content (fallback) or a cancellation (timer, client) is decided on the dispatcher.
    relay
        .ready()
        .whenComplete(
            (v, err) -> {
              if (relay.contentSeen() && !a.decided.get()) {
                guard(
                    () -> {
                      if (a.decide()) {
                        respondStream(a, t, relay);
                      }
                    });
              } else {
                ctx.dispatcher().execute(() -> noContentYet(a, t, relay));
              }
            });
  }

  /** The stream ended, failed or was cancelled before any content. */
  private void noContentYet(Attempt a, StreamTranslator t, StreamRelay relay) {
    guard(
        () -> {
          if (a.decided.get()) {
            return;
          }
          if (relay.contentSeen()) {
            if (a.decide()) {
              respondStream(a, t, relay);
            }
            return;
          }
          if (!a.decide()) {
            return;
          }
          Throwable failure = relay.failure();
          if (failure == null && t.finished() && t.upstreamError() == null) {
            respondStream(a, t, relay);
            return;
          }
          a.release();
          relay.cancel();
          String why =
              failure != null
                  ? failure.getMessage()
                  : t.upstreamError() != null
                      ? t.upstreamError()
                      : "the stream ended before any content";
          fallback(a.d, "stream_error", "stream failed before content: " + why);
        });
  }

  private void respondStream(Attempt a, StreamTranslator t, StreamRelay relay) {
    long firstContent = ctx.clock().nanoTime();
    // no fallback from here on: what only the attempts needed need not live as long as the stream
    streamPromptEstimate = Math.max(0, estimate - maxTokens(a.d));
    request = null;
    body = null;
    messages = null;
    candidates = null;
    lastError = null;
    if (sessionId == null) {
      sent = null;
    }
    double ttft = (firstContent - start) / 1e9;
    gw.stats(a.d).ttft(ttft * 1000);
    gw.metrics().ttft(a.d.model(), ttft);
    // once per stream, at its end: the accounting and metrics (a few microseconds) on the stream's
    // thread, no dispatcher task; storing a session's history (JSON of the whole conversation)
    // off it
    boolean store = sessionId != null;
    Source<ByteString, NotUsed> bodySource =
        relay.body(
            end -> {
              if (store) {
                ctx.dispatcher().execute(() -> streamEnded(a, t, firstContent, end));
              } else {
                guard(() -> streamEnded(a, t, firstContent, end));
              }
            });
    gw.metrics().request(aliasName, consumer.name(), 200);
    result.complete(
        HttpResponse.create()
            .withStatus(200)
            .addHeader(RawHeader.create("Cache-Control", "no-cache"))
            .withEntity(
                HttpEntities.createChunked(
                    ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM), bodySource)));
  }

  /** Accounting, TPOT and the session once a stream's body ended. */
  private void streamEnded(Attempt a, StreamTranslator t, long firstContent, StreamRelay.End end) {
    a.release();
    boolean ok = end == StreamRelay.End.COMPLETE;
    long now = ctx.clock().nanoTime();
    int n = t.contentEvents();
    if (n > 1) {
      gw.metrics().tpot(a.d.model(), (now - firstContent) / 1e9 / (n - 1));
    }
    settle(a.d, t.usage(), n);
    if (ok && sessionId != null) {
      // the answer already reached the client: a store failure is logged
      storeAnswer(kind == Kind.CHAT ? t.assistantMessage() : null)
          .whenComplete(
              (v, err) -> {
                if (err != null) {
                  ctx.log()
                      .error(
                          "session {}: the streamed answer was not stored: {}",
                          sessionId,
                          rootMessage(err));
                }
              });
    }
  }

  /** Runs a callback; an unexpected failure answers 500 instead of leaving the client waiting. */
  private void guard(Runnable body) {
    try {
      body.run();
    } catch (RuntimeException e) {
      ctx.log().error(e, "LLM request failed");
      settle(null, null, 0);
      result.complete(
          AiGateway.error(
              anthropicClient, 500, "server_error", "internal_error", "the gateway failed: " + e));
    }
  }

  /**
   * Reconciles the pre-charge once: with the reported usage, or when the provider reported none (a
   * stream cut short) with the prompt estimate and one token per content chunk received.
   */
  private void settle(AiConfig.Deployment d, Usage usage, int contentEvents) {
    if (!settled.compareAndSet(false, true)) {
      return;
    }
    if (d == null) {
      gw.accounting().reconcile(admission, consumer, estimate, null, 0, 0);
      return;
    }
    long prompt;
    long completion;
    if (usage != null) {
      prompt = usage.promptTokens();
      completion = usage.completionTokens();
    } else {
      prompt =
          streamPromptEstimate >= 0 ? streamPromptEstimate : Math.max(0, estimate - maxTokens(d));
      completion = contentEvents;
    }
    gw.accounting().reconcile(admission, consumer, estimate, d, prompt, completion);
    gw.metrics()
        .usage(
            aliasName,
            d.model(),
            consumer.name(),
            prompt,
            completion,
            d.price().cost(prompt, completion));
  }

  /** One try of one deployment; exactly one path (answer, failure, timer) decides it. */
  private final class Attempt {
    final AiConfig.Deployment d;
    final Endpoint ep;
    final long began = ctx.clock().nanoTime();
    final AtomicBoolean decided = new AtomicBoolean();
    final AtomicBoolean released = new AtomicBoolean();
    volatile Timeout timer;
    volatile StreamRelay relay;

    /** Closes the try's connection (HTTP/1.1) or resets its stream (h2c) on the Netty transport. */
    volatile Runnable abort;

    Attempt(AiConfig.Deployment d, Endpoint ep) {
      this.d = d;
      this.ep = ep;
      ep.active().incrementAndGet();
    }

    boolean decide() {
      if (!decided.compareAndSet(false, true)) {
        return false;
      }
      Timeout tm = timer;
      if (tm != null) {
        tm.cancel();
      }
      return true;
    }

    long remainingMillis() {
      BackendRuntime b = snap.backends().get(d.backend());
      return b.config().timeouts().http().requestTimeout().toMillis()
          - (ctx.clock().nanoTime() - began) / 1_000_000;
    }

    /** The try was given up before its response head: the transport drops the request. */
    void abortTry() {
      Runnable ab = abort;
      if (ab != null) {
        ab.run();
      }
    }

    void cancelStream() {
      StreamRelay r = relay;
      if (r != null) {
        r.cancel();
      }
    }

    void release() {
      if (released.compareAndSet(false, true)) {
        gw.stats(d).inFlight().decrementAndGet();
        ep.active().decrementAndGet();
      }
    }
  }
}
