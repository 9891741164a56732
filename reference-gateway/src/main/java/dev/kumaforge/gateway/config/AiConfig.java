package dev.kumaforge.gateway.config;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.gateway.ai.masking.Masker;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The AI gateway: a model catalog (aliases to provider deployments), routing strategies, fallbacks
 * and conversation sessions; used by routes with {@code llm: true}.
 *
 * @param models the catalog; a client names an alias
 * @param sessions conversation context settings
 * @param tokenCacheSize messages whose token count is cached (default 100000)
 * @param mask what is masked in prompts before a provider sees them (default none)
 * @param denyPatterns regular expressions; a prompt matching one is refused with 400
 * @param responseCache exact-match cache of non-streaming answers, or null for none
 * @param templates prompt templates served as {@code POST /templates/{name}}
 */
public record AiConfig(
    List<ModelAlias> models,
    Sessions sessions,
    Integer tokenCacheSize,
    List<Masker.Kind> mask,
    List<String> denyPatterns,
    ResponseCache responseCache,
    List<Template> templates,
    SharedAccounting accounting)
    implements Validatable {

  public AiConfig {
    models = GatewayConfig.immutable(models);
    sessions = sessions == null ? new Sessions(null, null, null, null, null, null) : sessions;
    tokenCacheSize = tokenCacheSize == null ? 100_000 : tokenCacheSize;
    mask = GatewayConfig.immutable(mask);
    denyPatterns = GatewayConfig.immutable(denyPatterns);
    templates = GatewayConfig.immutable(templates);
  }

  /** The alias named {@code name}, or null. */
  public ModelAlias model(String name) {
    for (ModelAlias m : models) {
      if (m.name().equals(name)) {
        return m;
      }
    }
    return null;
  }

  @Override
  public void validate(Validator v) {
    Set<String> names = new HashSet<>();
    v.check(!models.isEmpty(), "models", "[]", "at least one model alias");
    v.each(
        "models",
        models,
        (mv, m) -> {
          m.validate(mv);
          if (m.name() != null) {
            mv.check(names.add(m.name()), "name", m.name(), "a unique model alias");
          }
        });
    v.each(
        "models",
        models,
        (mv, m) ->
            mv.each(
                "fallbacks",
                m.fallbacks(),
                (fv, f) ->
                    fv.check(
                        model(f) != null && !f.equals(m.name()),
                        "",
                        "'" + f + "'",
                        "the name of another alias in ai.models[]")));
    v.check(tokenCacheSize >= 0, "tokenCacheSize", tokenCacheSize, ">= 0");
    v.each(
        "denyPatterns",
        denyPatterns,
        (pv, p) -> {
          try {
            java.util.regex.Pattern.compile(p);
          } catch (java.util.regex.PatternSyntaxException | NullPointerException e) {
            pv.check(false, "", "'" + p + "'", "a Java regular expression");
          }
        });
    Set<String> templateNames = new HashSet<>();
    v.each(
        "templates",
        templates,
        (tv, t) -> {
          if (tv.required(t.name(), "name")) {
            tv.check(
                t.name().matches("[A-Za-z0-9_.-]+"),
                "name",
                "'" + t.name() + "'",
                "letters, digits, _ . -");
            tv.check(templateNames.add(t.name()), "name", t.name(), "a unique template name");
          }
          if (tv.required(t.model(), "model")) {
            tv.check(
                model(t.model()) != null,
                "model",
                "'" + t.model() + "'",
                "the name of an alias in ai.models[]");
          }
          if (t.maxTokens() != null) {
            tv.check(t.maxTokens() > 0, "maxTokens", t.maxTokens(), "> 0");
          }
          tv.check(!t.messages().isEmpty(), "messages", "[]", "at least one message");
          tv.each(
              "messages",
              t.messages(),
              (mv, m) -> {
                mv.check(
                    Set.of("system", "user", "assistant").contains(m.role()),
                    "role",
                    m.role(),
                    "system, user or assistant");
                mv.required(m.content(), "content");
              });
        });
    if (responseCache != null) {
      Validator rv = v.at("responseCache");
      GatewayConfig.positive(rv, responseCache.ttl(), "ttl");
      rv.check(responseCache.maxEntries() > 0, "maxEntries", responseCache.maxEntries(), "> 0");
    }
    if (accounting != null) {
      Validator acv = v.at("accounting");
      acv.required(accounting.redis(), "redis");
      GatewayConfig.positive(acv, accounting.timeout(), "timeout");
    }
    Validator sv = v.at("sessions");
    GatewayConfig.positive(sv, sessions.ttl(), "ttl");
    if (sessions.store() == SessionStoreKind.redis
        && sv.required(sessions.redis(), "redis")
        && sv.at("redis").required(sessions.redis().uri(), "uri")) {
      sv.at("redis")
          .check(
              sessions.redis().uri().startsWith("redis://")
                  || sessions.redis().uri().startsWith("rediss://"),
              "uri",
              "'" + sessions.redis().uri() + "'",
              "redis://host:port[/db] or rediss://...");
      GatewayConfig.positive(sv.at("redis"), sessions.redis().timeout(), "timeout");
    }
    sv.check(sessions.maxSessions() > 0, "maxSessions", sessions.maxSessions(), "> 0");
    Trimming trim = sessions.trimming();
    Validator tv = sv.at("trimming");
    if (trim.strategy() == TrimStrategy.summarize
        && tv.required(trim.summarizer(), "summarizer")
        && tv.at("summarizer").required(trim.summarizer().model(), "model")) {
      tv.at("summarizer")
          .check(
              model(trim.summarizer().model()) != null,
              "model",
              "'" + trim.summarizer().model() + "'",
              "the name of a model in ai.models");
    }
    if (trim.summarizer() != null) {
      tv.at("summarizer")
          .check(
              trim.summarizer().maxTokens() > 0, "maxTokens", trim.summarizer().maxTokens(), "> 0");
      tv.at("summarizer")
          .check(!trim.summarizer().prompt().isBlank(), "prompt", "''", "a non-empty prompt");
    }
    sv.check(
        sessions.header().matches("[A-Za-z0-9-]+"),
        "header",
        "'" + sessions.header() + "'",
        "an HTTP header name");
  }

  /** How the deployments of an alias are ordered for each request. */
  public enum Strategy {
    /** In the listed order. */
    ordered,
    /** Randomly by weight, then the rest in listed order. */
    weighted,
    /** Cheapest first (input + output price). */
    lowestCost,
    /** Lowest moving average time to first token first. */
    lowestLatency,
    /** Fewest requests in flight first. */
    leastBusy
  }

  /** Provider wire formats. */
  public enum Style {
    openai,
    anthropic
  }

  /**
   * A model alias clients name.
   *
   * @param name alias, for example {@code gpt-4o-mini} or {@code fast}
   * @param strategy order of the deployments (default ordered)
   * @param deployments at least one
   * @param fallbacks other aliases tried in order when every deployment failed
   */
  public record ModelAlias(
      String name, Strategy strategy, List<Deployment> deployments, List<String> fallbacks) {
    public ModelAlias {
      strategy = strategy == null ? Strategy.ordered : strategy;
      deployments = GatewayConfig.immutable(deployments);
      fallbacks = GatewayConfig.immutable(fallbacks);
    }

    void validate(Validator v) {
      v.required(name, "name");
      v.check(!deployments.isEmpty(), "deployments", "[]", "at least one deployment");
      v.each("deployments", deployments, (dv, d) -> d.validate(dv));
    }
  }

  /**
   * One provider deployment of a model.
   *
   * @param backend name of a backend in {@code backends[]}
   * @param style the provider's wire format (default openai)
   * @param model the provider's model name
   * @param apiKey the key the gateway sends upstream (default none)
   * @param contextWindow tokens, prompt + output (default 128000)
   * @param maxOutput output tokens at most (default 4096); also the default max_tokens
   * @param price USD per million tokens
   * @param weight relative weight for the weighted strategy (default 1)
   * @param encoding jtokkit encoding counting tokens (default o200k_base)
   */
  public record Deployment(
      String backend,
      Style style,
      String model,
      String apiKey,
      Integer contextWindow,
      Integer maxOutput,
      Price price,
      Integer weight,
      String encoding) {
    public Deployment {
      style = style == null ? Style.openai : style;
      contextWindow = contextWindow == null ? 128_000 : contextWindow;
      maxOutput = maxOutput == null ? 4096 : maxOutput;
      price = price == null ? new Price(0, 0) : price;
      weight = weight == null ? 1 : weight;
      encoding = encoding == null ? "o200k_base" : encoding.toLowerCase(Locale.ROOT);
    }

    void validate(Validator v) {
      v.required(backend, "backend");
      v.required(model, "model");
      v.check(contextWindow > 0, "contextWindow", contextWindow, "> 0");
      v.check(
          maxOutput > 0 && maxOutput < contextWindow,
          "maxOutput",
          maxOutput,
          "> 0 and < contextWindow");
      v.check(price.input() >= 0 && price.output() >= 0, "price", price, "prices >= 0");
      v.check(weight >= 0, "weight", weight, ">= 0");
      v.check(
          Set.of("o200k_base", "cl100k_base", "p50k_base", "p50k_edit", "r50k_base")
              .contains(encoding),
          "encoding",
          encoding,
          "one of o200k_base, cl100k_base, p50k_base, p50k_edit, r50k_base");
    }

    /** A label such as {@code openai/gpt-4o-mini}. */
    public String label() {
      return backend + "/" + model;
    }
  }

  /**
   * Prices.
   *
   * @param input USD per million prompt tokens
   * @param output USD per million completion tokens
   */
  public record Price(double input, double output) {
    /** The cost of a usage in USD. */
    public double cost(long promptTokens, long completionTokens) {
      return (promptTokens * input + completionTokens * output) / 1_000_000.0;
    }
  }

  /**
   * Conversation sessions: a client sending the header continues the consumer's conversation.
   *
   * @param header session id header (default x-session-id)
   * @param ttl idle time after which a session is forgotten (default 30m)
   * @param maxSessions sessions kept at most in memory (default 100000)
   * @param store memory (default) or redis (shared by gateway replicas)
   * @param redis the Redis server for store redis
   * @param trimming what happens to turns that no longer fit the window
   */
  public record Sessions(
      String header,
      Duration ttl,
      Integer maxSessions,
      SessionStoreKind store,
      Redis redis,
      Trimming trimming) {
    public Sessions {
      header = header == null ? "x-session-id" : header.toLowerCase(Locale.ROOT);
      ttl = ttl == null ? Duration.ofMinutes(30) : ttl;
      maxSessions = maxSessions == null ? 100_000 : maxSessions;
      store = store == null ? SessionStoreKind.memory : store;
      trimming = trimming == null ? new Trimming(null, null) : trimming;
    }
  }

  /** How turns that no longer fit are handled. */
  public enum TrimStrategy {
    /** The oldest whole turns are dropped (system messages stay). */
    dropOldest,
    /**
     * The turns that would be dropped are summarised by a cheaper model; the summary replaces them
     * as a system message (and replaces an earlier summary), so it is stored with the session and
     * not recomputed.
     */
    summarize
  }

  /**
   * Context trimming.
   *
   * @param strategy dropOldest (default) or summarize
   * @param summarizer the model and prompt of summaries (required with summarize)
   */
  public record Trimming(TrimStrategy strategy, Summarizer summarizer) {
    public Trimming {
      strategy = strategy == null ? TrimStrategy.dropOldest : strategy;
    }
  }

  /**
   * The summaries' model.
   *
   * @param model an alias of ai.models (its deployments, fallbacks and prices apply; the consumer
   *     pays for the summary's tokens)
   * @param maxTokens the summary's max tokens (default 256)
   * @param prompt the system prompt of the summary request
   */
  public record Summarizer(String model, Integer maxTokens, String prompt) {
    /** The default system prompt of summaries. */
    public static final String DEFAULT_PROMPT =
        "Summarise the conversation below in a few sentences for the assistant that continues it."
            + " Keep names, numbers, decisions and open questions.";

    public Summarizer {
      maxTokens = maxTokens == null ? 256 : maxTokens;
      prompt = prompt == null ? DEFAULT_PROMPT : prompt;
    }
  }

  /**
   * A prompt template: {@code {{variable}}} placeholders in its messages are filled from the JSON
   * variables a client posts to {@code /templates/{name}}.
   *
   * @param name the path segment
   * @param model the alias it runs on
   * @param maxTokens max tokens of the answer (default: the deployment's maxOutput)
   * @param messages the messages, with placeholders
   */
  public record Template(
      String name, String model, Integer maxTokens, List<TemplateMessage> messages) {
    public Template {
      messages = GatewayConfig.immutable(messages);
    }
  }

  /**
   * One template message.
   *
   * @param role system, user or assistant
   * @param content text with {@code {{variable}}} placeholders
   */
  public record TemplateMessage(String role, String content) {}

  /**
   * Exact-match cache of non-streaming chat and embeddings answers, per consumer.
   *
   * @param ttl how long an answer is served from the cache (default 5m)
   * @param maxEntries answers kept at most (default 10000)
   */
  public record ResponseCache(Duration ttl, Integer maxEntries) {
    public ResponseCache {
      ttl = ttl == null ? Duration.ofMinutes(5) : ttl;
      maxEntries = maxEntries == null ? 10_000 : maxEntries;
    }
  }

  /** Where sessions live. */
  public enum SessionStoreKind {
    /** In this gateway's memory (Caffeine). */
    memory,
    /** In Redis, shared by replicas. */
    redis
  }

  /**
   * A Redis server.
   *
   * @param uri Lettuce URI such as {@code redis://127.0.0.1:6379/0}
   * @param timeout command timeout (default 2s)
   * @param keyPrefix prefix of every key (default {@code forge:session:})
   */
  public record Redis(String uri, Duration timeout, String keyPrefix) {
    public Redis {
      timeout = timeout == null ? Duration.ofSeconds(2) : timeout;
      keyPrefix = keyPrefix == null ? "forge:session:" : keyPrefix;
    }
  }

  /**
   * Consumer limits and budgets shared by replicas through Redis (absent: local to each gateway).
   *
   * @param redis name of a connection in the top-level {@code redis} section
   * @param timeout deadline of each pre-charge, default 50ms
   * @param failureMode Open (default: decide with this replica's local limits) or Closed (503
   *     limits_unavailable)
   */
  public record SharedAccounting(String redis, Duration timeout, Route.FailureMode failureMode) {
    public SharedAccounting {
      timeout = timeout == null ? Duration.ofMillis(50) : timeout;
      failureMode = failureMode == null ? Route.FailureMode.Open : failureMode;
    }
  }
}
