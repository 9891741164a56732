package dev.kumaforge.gateway.ratelimit;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** Metrics of shared (Redis) rate limits: decisions, Redis failures, decision latency. */
public final class RateLimitMetrics {
  private final Counter decisions;
  private final Counter redisErrors;
  private final Histogram latency;

  /** Registers the metrics in {@code registry}. */
  public RateLimitMetrics(PrometheusRegistry registry) {
    decisions =
        Counter.builder()
            .name("gateway_ratelimit_decisions_total")
            .help(
                "Shared rate limit decisions by route and result (allowed, refused,"
                    + " fallback_allowed, fallback_refused: decided by the local cap while Redis"
                    + " failed; unavailable: failed closed)")
            .labelNames("route", "result")
            .register(registry);
    redisErrors =
        Counter.builder()
            .name("gateway_ratelimit_redis_errors_total")
            .help("Failed Redis rate limit calls by connection and kind (timeout, error)")
            .labelNames("redis", "kind")
            .register(registry);
    latency =
        Histogram.builder()
            .name("gateway_ratelimit_decision_seconds")
            .help("Time to a shared rate limit decision (Redis round trip or fallback), by route")
            .labelNames("route")
            .classicOnly()
            .classicUpperBounds(
                0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
            .register(registry);
  }

  void decision(String route, String result, long nanos) {
    decisions.labelValues(route, result).inc();
    latency.labelValues(route).observe(nanos / 1e9);
  }

  void redisError(String redis, boolean timeout) {
    redisErrors.labelValues(redis, timeout ? "timeout" : "error").inc();
  }
}
