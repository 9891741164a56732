package dev.kumaforge.gateway.ai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.kumaforge.gateway.ai.context.MemorySessionStore;
import dev.kumaforge.gateway.ai.context.RedisSessionStore;
import dev.kumaforge.gateway.ai.context.Session;
import dev.kumaforge.gateway.ai.context.SessionStore;
import dev.kumaforge.gateway.ai.masking.Masker;
import dev.kumaforge.gateway.ai.tokens.TokenCounter;
import dev.kumaforge.gateway.ai.translate.Wire;
import dev.kumaforge.gateway.auth.AuthFailure;
import dev.kumaforge.gateway.auth.Authenticator;
import dev.kumaforge.gateway.auth.Identity;
import dev.kumaforge.gateway.config.AiConfig;
import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.gateway.consumer.ConsumerConfig;
import dev.kumaforge.gateway.proxy.ProxyContext;
import dev.kumaforge.gateway.proxy.Snapshot;
import dev.kumaforge.gateway.ratelimit.RedisConnections;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.Materializer;

/**
 * The AI gateway behind routes with {@code llm: true}: authenticates the consumer, then serves
 * {@code GET /v1/models}, {@code POST /v1/chat/completions}, {@code POST /v1/embeddings} and the
 * native {@code POST /v1/messages} from the model catalog. Its state (usage, limits, budgets,
 * sessions, latency averages) survives config reloads.
 */
public final class AiGateway {
  static final long MAX_BODY = 10L << 20;

  private final ProxyContext ctx;
  private final Accounting accounting;
  private final AiMetrics metrics;
  private final Map<String, DeploymentStats> stats = new ConcurrentHashMap<>();
  private volatile Compiled compiled;
  private volatile SessionStore sessions;
  private volatile TokenCounter tokens;
  private volatile Cache<String, String> responses;
  private volatile RedisConnections redis;

  /** The compiled, config-dependent parts. */
  record Compiled(GatewayConfig source, Masker masker, List<Pattern> denyPatterns) {}

  public AiGateway(ProxyContext ctx, PrometheusRegistry registry) {
    this.ctx = ctx;
    this.accounting = new Accounting(ctx.clock());
    this.metrics =
        new AiMetrics(
            registry,
            () -> tokens == null ? 0 : tokens.hits(),
            () -> tokens == null ? 0 : tokens.misses());
  }

  /** The gateway's Redis connections, for {@code ai.accounting} (call before {@link #start}). */
  public void useRedis(RedisConnections connections) {
    this.redis = connections;
  }

  ProxyContext ctx() {
    return ctx;
  }

  Accounting accounting() {
    return accounting;
  }

  AiMetrics metrics() {
    return metrics;
  }

  DeploymentStats stats(AiConfig.Deployment d) {
    return stats.computeIfAbsent(d.label(), k -> new DeploymentStats());
  }

  TokenCounter tokens() {
    return tokens;
  }

  /** The response cache, or null when off (read at start only). */
  Cache<String, String> responses() {
    return responses;
  }

  SessionStore sessions() {
    return sessions;
  }

  private Compiled compiled(GatewayConfig config) {
    Compiled c = compiled;
    if (c == null || c.source() != config) {
      synchronized (this) {
        c = compiled;
        if (c == null || c.source() != config) {
          if (sessions == null && config.ai() != null) {
            start(config);
          } else {
            warmEncodings(config);
          }
          c =
              new Compiled(
                  config,
                  new Masker(config.ai() == null ? Set.of() : Set.copyOf(config.ai().mask())),
                  config.ai() == null
                      ? List.of()
                      : config.ai().denyPatterns().stream().map(Pattern::compile).toList());
          compiled = c;
        }
      }
    }
    return c;
  }

  /**
   * Creates the session store and token counter from the config the gateway starts with (read at
   * start only); throws when the Redis session store cannot be reached.
   */
  public synchronized void start(GatewayConfig config) {
    if (sessions != null || config.ai() == null) {
      return;
    }
    AiConfig.Sessions s = config.ai().sessions();
    AiConfig.SharedAccounting sa = config.ai().accounting();
    if (sa != null) {
      if (redis == null) {
        throw new IllegalStateException("ai.accounting needs the top-level redis section");
      }
      accounting.share(new SharedAccounting(redis.link(sa.redis()), sa));
    }
    tokens = new TokenCounter(config.ai().tokenCacheSize());
    if (warmEncodings(config)) {
      // once per JVM, before the listeners take traffic: the tables just loaded move to the old
      // generation now instead of being copied by every young collection for the first minute
      System.gc();
    }
    AiConfig.ResponseCache rc = config.ai().responseCache();
    if (rc != null) {
      Ticker ticker = ctx.clock()::nanoTime;
      responses =
          Caffeine.newBuilder()
              .expireAfterWrite(rc.ttl())
              .maximumSize(rc.maxEntries())
              .ticker(ticker)
              .build();
    }
    sessions =
        s.store() == AiConfig.SessionStoreKind.redis
            ? new RedisSessionStore(
                s.redis().uri(), s.redis().timeout(), s.redis().keyPrefix(), s.ttl())
            : new MemorySessionStore(s.ttl(), s.maxSessions(), ctx.clock());
  }

  /**
   * Loads the tokenizer of every deployment in the catalog: on the first request otherwise, which
   * then waits for it, and the tables (tens of MB) are then allocated among the requests' garbage,
   * where each young collection copies them again until they are old enough to be promoted (in the
   * llm-overhead benchmark: survivor spaces full, 20-30 ms young pauses instead of about 8 ms).
   */
  private boolean warmEncodings(GatewayConfig config) {
    TokenCounter tc = tokens;
    if (tc == null || config.ai() == null) {
      return false;
    }
    Set<String> names = new java.util.HashSet<>();
    for (AiConfig.ModelAlias m : config.ai().models()) {
      for (AiConfig.Deployment d : m.deployments()) {
        names.add(d.encoding());
      }
    }
    boolean loaded = false;
    for (String n : names) {
      loaded |= tc.warm(n);
    }
    return loaded;
  }

  /** Closes the session store. */
  public void close() {
    SessionStore s = sessions;
    if (s != null) {
      s.close();
    }
  }

  /**
   * The 401 of an LLM route in the provider's error shape (Anthropic for {@code /v1/messages}),
   * never naming the credential or which check failed.
   */
  public HttpResponse unauthorized(HttpRequest request, AuthFailure failure) {
    boolean anthropic = "/v1/messages".equals(request.getUri().path());
    return error(
            anthropic,
            401,
            anthropic ? "authentication_error" : "invalid_request_error",
            "invalid_api_key",
            failure == AuthFailure.MISSING
                ? "no API key: send Authorization: Bearer <key> or x-api-key: <key>"
                : "the API key is not valid")
        .addHeader(RawHeader.create("WWW-Authenticate", "Bearer realm=\"forge\""));
  }

  /** Serves one request of an LLM route (authenticated by the proxy handler). */
  public CompletionStage<HttpResponse> handle(HttpRequest request, Snapshot snap, long start) {
    String path = request.getUri().path();
    Call.Kind kind =
        switch (path) {
          case "/v1/chat/completions" -> Call.Kind.CHAT;
          case "/v1/embeddings" -> Call.Kind.EMBEDDINGS;
          case "/v1/messages" -> Call.Kind.MESSAGES;
          case "/v1/models" -> null;
          default -> {
            if (path.startsWith("/templates/")) {
              yield Call.Kind.CHAT;
            }
            request.discardEntityBytes(ctx.materializer());
            yield Call.Kind.UNKNOWN;
          }
        };
    boolean anthropic = kind == Call.Kind.MESSAGES;
    if (kind == Call.Kind.UNKNOWN || snap.config().ai() == null) {
      return done(
          error(
              false,
              404,
              "invalid_request_error",
              "unknown_url",
              "no LLM endpoint "
                  + request.method().value()
                  + " "
                  + path
                  + " (expected POST /v1/chat/completions, POST /v1/embeddings, POST"
                  + " /v1/messages, POST /templates/{name} or GET /v1/models)"));
    }
    Compiled c = compiled(snap.config());
    Identity identity = request.getAttribute(Authenticator.IDENTITY).orElse(null);
    if (identity == null) {
      request.discardEntityBytes(ctx.materializer());
      return done(unauthorized(request, AuthFailure.MISSING));
    }
    ConsumerConfig consumer = identity.config();
    if (kind == null) {
      request.discardEntityBytes(ctx.materializer());
      if (!request.method().equals(HttpMethods.GET)) {
        return done(
            error(false, 405, "invalid_request_error", "method_not_allowed", "use GET /v1/models"));
      }
      return done(json(200, models(snap.config().ai())));
    }
    if (!request.method().equals(HttpMethods.POST)) {
      request.discardEntityBytes(ctx.materializer());
      return done(
          error(anthropic, 405, "invalid_request_error", "method_not_allowed", "use POST " + path));
    }
    AiConfig.Template template = null;
    if (path.startsWith("/templates/")) {
      String name = path.substring("/templates/".length());
      for (AiConfig.Template t : snap.config().ai().templates()) {
        if (t.name().equals(name)) {
          template = t;
        }
      }
      if (template == null) {
        request.discardEntityBytes(ctx.materializer());
        return done(
            error(
                false,
                404,
                "invalid_request_error",
                "template_not_found",
                "no template '" + name + "' (ai.templates[].name)"));
      }
    }
    AiConfig.Template tpl = template;
    Call call = new Call(this, snap, consumer, kind, request, start, c);
    java.util.function.BiFunction<HttpEntity.Strict, Throwable, CompletionStage<HttpResponse>>
        read =
            (strict, err) -> {
              if (err != null) {
                return done(
                    error(
                        anthropic,
                        tooLarge(err) ? 413 : 400,
                        "invalid_request_error",
                        "bad_body",
                        "cannot read the request body (at most 10 MiB): " + err.getMessage()));
              }
              String text = strict.getData().utf8String();
              if (tpl != null) {
                try {
                  text = Templates.render(tpl, text);
                } catch (IllegalArgumentException e) {
                  return done(
                      error(
                          false, 400, "invalid_request_error", "invalid_request", e.getMessage()));
                }
              }
              return call.run(text);
            };
    // a strict body (the usual case) is read at once: no hop through the dispatcher
    return handleNow(
            toStrict(request.entity(), 30_000, MAX_BODY, ctx.materializer()),
            read,
            ctx.dispatcher())
        .thenCompose(s -> s);
  }

  /**
   * {@code stage.handle(fn)} at once on the calling thread when {@code stage} is a completed future
   * already, else {@code fn} on {@code executor} when it completes (never a plain callback on one
   * of Pekko's CompletionStages, which runs on the common pool).
   */
  static <T, U> CompletionStage<U> handleNow(
      CompletionStage<T> stage,
      java.util.function.BiFunction<? super T, Throwable, ? extends U> fn,
      java.util.concurrent.Executor executor) {
    if (stage instanceof CompletableFuture<T> f && f.isDone()) {
      return f.handle(fn);
    }
    return stage.handleAsync(fn, executor);
  }

  /**
   * {@code entity.toStrict(timeoutMillis, maxBytes)}, but an entity that is strict already and
   * under the limit is returned as it is: Pekko's toStrict with a byte limit runs a stream (an
   * actor) even for a strict entity.
   */
  static CompletionStage<HttpEntity.Strict> toStrict(
      HttpEntity entity, long timeoutMillis, long maxBytes, Materializer materializer) {
    if (entity instanceof HttpEntity.Strict strict && strict.getData().size() < maxBytes) {
      return CompletableFuture.completedFuture(strict);
    }
    return entity.toStrict(timeoutMillis, maxBytes, materializer);
  }

  /** Whether reading a body failed because it was over the cap (Content-Length or streamed). */
  private static boolean tooLarge(Throwable err) {
    Throwable e = dev.kumaforge.gateway.upstream.UpstreamFailure.unwrap(err);
    // Pekko: EntityStreamSizeException (Content-Length) or "Request too large" (streamed)
    String m = String.valueOf(e.getMessage());
    return e instanceof org.apache.pekko.http.scaladsl.model.EntityStreamSizeException
        || m.contains("exceeded")
        || m.startsWith("Request too large");
  }

  private static String models(AiConfig ai) {
    ObjectNode root = Wire.MAPPER.createObjectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    for (AiConfig.ModelAlias m : ai.models()) {
      ObjectNode o = data.addObject();
      o.put("id", m.name());
      o.put("object", "model");
      o.put("created", 0);
      o.put("owned_by", "kuma-forge");
      o.put("context_window", m.deployments().get(0).contextWindow());
    }
    return root.toString();
  }

  /** The deployments to try, in order: the alias's by its strategy, then each fallback alias's. */
  List<Candidate> candidates(AiConfig ai, AiConfig.ModelAlias alias) {
    Set<Candidate> out = new LinkedHashSet<>();
    addOrdered(out, alias);
    for (String f : alias.fallbacks()) {
      AiConfig.ModelAlias fa = ai.model(f);
      if (fa != null) {
        addOrdered(out, fa);
      }
    }
    return new ArrayList<>(out);
  }

  /**
   * One deployment to try.
   *
   * @param alias the alias it belongs to
   * @param deployment the deployment
   */
  record Candidate(String alias, AiConfig.Deployment deployment) {}

  private void addOrdered(Set<Candidate> out, AiConfig.ModelAlias alias) {
    List<AiConfig.Deployment> ds = new ArrayList<>(alias.deployments());
    switch (alias.strategy()) {
      case weighted -> {
        int sum = ds.stream().mapToInt(AiConfig.Deployment::weight).sum();
        if (sum > 0) {
          int x = ThreadLocalRandom.current().nextInt(sum);
          for (int i = 0; i < ds.size(); i++) {
            x -= ds.get(i).weight();
            if (x < 0) {
              ds.add(0, ds.remove(i));
              break;
            }
          }
        }
      }
      case lowestCost ->
          ds.sort(Comparator.comparingDouble(d -> d.price().input() + d.price().output()));
      case lowestLatency ->
          ds.sort(Comparator.comparingDouble(d -> Math.max(0, stats(d).ttftMillis())));
      case leastBusy -> ds.sort(Comparator.comparingInt(d -> stats(d).inFlight().get()));
      case ordered -> {
        // as listed
      }
    }
    for (AiConfig.Deployment d : ds) {
      out.add(new Candidate(alias.name(), d));
    }
  }

  /** Usage since start as JSON, for {@code GET /ai/usage} on the admin listener. */
  public String usageJson() {
    ObjectNode root = Wire.MAPPER.createObjectNode();
    ArrayNode rows = root.putArray("usage");
    for (UsageLedger.Row r : accounting.total().rows()) {
      ObjectNode o = rows.addObject();
      o.put("consumer", r.consumer());
      o.put("backend", r.backend());
      o.put("model", r.model());
      o.put("requests", r.requests());
      o.put("prompt_tokens", r.promptTokens());
      o.put("completion_tokens", r.completionTokens());
      o.put("cost_usd", r.costUsd());
    }
    return root.toString();
  }

  /** Stores a session; the store's failure fails the stage. */
  CompletionStage<Void> storeSession(String id, Session s) {
    return sessions.put(id, s);
  }

  static CompletionStage<HttpResponse> done(HttpResponse r) {
    return CompletableFuture.completedFuture(r);
  }

  static HttpResponse json(int status, String body) {
    return HttpResponse.create()
        .withStatus(
            StatusCodes.lookup(status)
                .orElseGet(
                    () -> StatusCodes.custom(status, "Provider status " + status, "", false, true)))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  /** An error in the client's format: OpenAI's, or Anthropic's for {@code /v1/messages}. */
  static HttpResponse error(
      boolean anthropic, int status, String type, String code, String message) {
    return json(
        status,
        anthropic ? Wire.anthropicError(message, type) : Wire.openAiError(message, type, code));
  }

  /** An error with a Retry-After header. */
  static HttpResponse error(
      boolean anthropic, int status, String type, String code, String message, long retryAfter) {
    return error(anthropic, status, type, code, message)
        .addHeader(RawHeader.create("Retry-After", Long.toString(retryAfter)));
  }
}
