package dev.kumaforge.gateway.ai;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.LongSupplier;

/** The AI gateway's metrics, registered in the gateway's registry. */
public final class AiMetrics {
  private final Counter tokens;
  private final Counter cost;
  private final Counter requests;
  private final Counter fallbacks;
  private final Counter trims;
  private final Counter summaries;
  private final Counter masked;
  private final Counter responseCache;
  private final Histogram ttft;
  private final Histogram tpot;

  AiMetrics(PrometheusRegistry registry, LongSupplier cacheHits, LongSupplier cacheMisses) {
    tokens =
        Counter.builder()
            .name("gateway_llm_tokens_total")
            .help("Tokens reported by providers, by alias, deployment model, consumer and kind")
            .labelNames("alias", "model", "consumer", "kind")
            .register(registry);
    cost =
        Counter.builder()
            .name("gateway_llm_cost_usd_total")
            .help("Cost in USD (usage x deployment prices), by deployment model and consumer")
            .labelNames("model", "consumer")
            .register(registry);
    requests =
        Counter.builder()
            .name("gateway_llm_requests_total")
            .help("LLM requests by alias, consumer and status")
            .labelNames("alias", "consumer", "status")
            .register(registry);
    fallbacks =
        Counter.builder()
            .name("gateway_llm_fallbacks_total")
            .help("Moves to the next deployment, by alias, failed deployment and reason")
            .labelNames("alias", "from", "reason")
            .register(registry);
    trims =
        Counter.builder()
            .name("gateway_llm_context_trimmed_messages_total")
            .help("Messages dropped from session history to fit a model's context window")
            .labelNames("model")
            .register(registry);
    summaries =
        Counter.builder()
            .name("gateway_llm_context_summaries_total")
            .help(
                "Session summaries of dropped turns by result (ok, failed: the turns were dropped)")
            .labelNames("result")
            .register(registry);
    responseCache =
        Counter.builder()
            .name("gateway_llm_response_cache_total")
            .help("Exact-match response cache lookups by result (hit, miss)")
            .labelNames("result")
            .register(registry);
    masked =
        Counter.builder()
            .name("gateway_llm_masked_total")
            .help("Values masked in prompts before a provider saw them, by kind")
            .labelNames("kind")
            .register(registry);
    ttft =
        Histogram.builder()
            .name("gateway_llm_ttft_seconds")
            .help("Time from request received to the first content chunk sent, by model")
            .labelNames("model")
            .classicOnly()
            .classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30)
            .register(registry);
    tpot =
        Histogram.builder()
            .name("gateway_llm_tpot_seconds")
            .help("Mean time per output chunk after the first, per stream, by model")
            .labelNames("model")
            .classicOnly()
            .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1)
            .register(registry);
    CounterWithCallback.builder()
        .name("gateway_llm_token_cache_hits_total")
        .help("Token counts of messages found in the cache")
        .callback(cb -> cb.call(cacheHits.getAsLong()))
        .register(registry);
    CounterWithCallback.builder()
        .name("gateway_llm_token_cache_misses_total")
        .help("Token counts of messages computed")
        .callback(cb -> cb.call(cacheMisses.getAsLong()))
        .register(registry);
  }

  void usage(
      String alias, String model, String consumer, long prompt, long completion, double usd) {
    tokens.labelValues(alias, model, consumer, "prompt").inc(prompt);
    tokens.labelValues(alias, model, consumer, "completion").inc(completion);
    cost.labelValues(model, consumer).inc(usd);
  }

  void request(String alias, String consumer, int status) {
    requests.labelValues(alias, consumer, Integer.toString(status)).inc();
  }

  void fallback(String alias, String from, String reason) {
    fallbacks.labelValues(alias, from, reason).inc();
  }

  void summary(String result) {
    summaries.labelValues(result).inc();
  }

  void trimmed(String model, int messages) {
    trims.labelValues(model).inc(messages);
  }

  void responseCache(boolean hit) {
    responseCache.labelValues(hit ? "hit" : "miss").inc();
  }

  void masked(String kind, int n) {
    masked.labelValues(kind).inc(n);
  }

  void ttft(String model, double seconds) {
    ttft.labelValues(model).observe(seconds);
  }

  void tpot(String model, double seconds) {
    tpot.labelValues(model).observe(seconds);
  }
}
