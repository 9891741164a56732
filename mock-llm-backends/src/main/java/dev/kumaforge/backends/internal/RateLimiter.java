package dev.kumaforge.backends.internal;

import dev.kumaforge.backends.config.LimitsConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Per-API-key token buckets for requests and tokens per minute. */
final class RateLimiter {
  private final LimitsConfig limits;
  private final Map<String, Buckets> keys = new ConcurrentHashMap<>();

  RateLimiter(LimitsConfig limits) {
    this.limits = limits;
  }

  boolean enabled() {
    return limits.any();
  }

  /** Takes one request and {@code tokens} tokens from {@code key}'s buckets, or refuses. */
  Outcome take(String key, long tokens, long nowNanos) {
    Buckets b = keys.computeIfAbsent(key, k -> new Buckets(limits, nowNanos));
    return b.take(tokens, nowNanos);
  }

  void reset() {
    keys.clear();
  }

  /**
   * The result of a take: whether it was allowed, which limit refused it, what remains, and the
   * seconds until the buckets are full again (or until the request would fit, when refused).
   */
  record Outcome(
      boolean allowed,
      String refusedBy,
      long requestLimit,
      long requestsRemaining,
      double requestsResetSeconds,
      long tokenLimit,
      long tokensRemaining,
      double tokensResetSeconds,
      double retryAfterSeconds) {}

  private static final class Buckets {
    private final double rpm;
    private final double tpm;
    private double requests;
    private double tokens;
    private long last;

    Buckets(LimitsConfig limits, long now) {
      this.rpm = limits.rpm();
      this.tpm = limits.tpm();
      this.requests = rpm;
      this.tokens = tpm;
      this.last = now;
    }

    synchronized Outcome take(long cost, long now) {
      double minutes = (now - last) / 60e9;
      last = now;
      requests = Math.min(rpm, requests + minutes * rpm);
      tokens = Math.min(tpm, tokens + minutes * tpm);
      String refused = null;
      double retry = 0;
      if (rpm > 0 && requests < 1) {
        refused = "requests";
        retry = (1 - requests) / rpm * 60;
      } else if (tpm > 0 && tokens < cost) {
        refused = "tokens";
        retry = cost > tpm ? 60 : (cost - tokens) / tpm * 60;
      }
      if (refused == null) {
        if (rpm > 0) {
          requests -= 1;
        }
        if (tpm > 0) {
          tokens -= cost;
        }
      }
      return new Outcome(
          refused == null,
          refused,
          (long) rpm,
          (long) Math.floor(Math.max(0, requests)),
          rpm > 0 ? (rpm - requests) / rpm * 60 : 0,
          (long) tpm,
          (long) Math.floor(Math.max(0, tokens)),
          tpm > 0 ? (tpm - tokens) / tpm * 60 : 0,
          retry);
    }
  }
}
