package dev.kumaforge.gateway.ai;

import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.config.AiConfig;
import dev.kumaforge.gateway.consumer.ConsumerConfig;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-consumer request and token limits (token buckets refilled per minute, pre-charged with an
 * estimate and reconciled from the reported usage) and money budgets per period.
 */
public final class Accounting {
  /**
   * Why a request was refused.
   *
   * @param code error code ({@code budget_exceeded}, {@code rate_limit_exceeded})
   * @param message the error message
   * @param retryAfterSeconds seconds until it may succeed
   */
  public record Refusal(String code, String message, long retryAfterSeconds) {}

  private final NanoClock clock;
  private final UsageLedger total = new UsageLedger();
  private final Map<String, State> states = new ConcurrentHashMap<>();

  public Accounting(NanoClock clock) {
    this.clock = clock;
  }

  /** Usage since start. */
  public UsageLedger total() {
    return total;
  }

  private static final class State {
    double requests;
    double tokens;
    long refilledAt;
    long period = Long.MIN_VALUE;
    UsageLedger periodUsage = new UsageLedger();
  }

  private State state(ConsumerConfig c) {
    return states.computeIfAbsent(c.name(), k -> new State());
  }

  /**
   * Admits a request estimated at {@code estimate} tokens, or says why not; an admitted request
   * must be {@link #reconcile reconciled}.
   */
  public Refusal admit(ConsumerConfig c, long estimate) {
    State s = state(c);
    synchronized (s) {
      if (c.budget() != null) {
        long periodMs = c.budget().period().toMillis();
        long now = clock.currentTimeMillis();
        rollPeriod(s, now / periodMs);
        double spent = s.periodUsage.cost(c.name());
        if (spent >= c.budget().usd()) {
          long resetMs = (now / periodMs + 1) * periodMs;
          return new Refusal(
              "budget_exceeded",
              String.format(
                  java.util.Locale.ROOT,
                  "consumer %s spent %.6f USD of its %.6f USD budget for the period that started"
                      + " %s; it resets at %s",
                  c.name(),
                  spent,
                  c.budget().usd(),
                  Instant.ofEpochMilli(resetMs - periodMs),
                  Instant.ofEpochMilli(resetMs)),
              Math.max(1, (resetMs - now + 999) / 1000));
        }
      }
      ConsumerConfig.Limits l = c.limits();
      if (l == null || (l.rpm() == 0 && l.tpm() == 0)) {
        return null;
      }
      refill(s, l);
      if (l.rpm() > 0 && s.requests < 1) {
        return new Refusal(
            "rate_limit_exceeded",
            "consumer " + c.name() + " is over its limit of " + l.rpm() + " requests per minute",
            waitSeconds(1 - s.requests, l.rpm()));
      }
      if (l.tpm() > 0 && s.tokens < estimate) {
        return new Refusal(
            "rate_limit_exceeded",
            "consumer "
                + c.name()
                + " is over its limit of "
                + l.tpm()
                + " tokens per minute (this request is estimated at "
                + estimate
                + " tokens: prompt + max tokens)",
            estimate > l.tpm() ? 60 : waitSeconds(estimate - s.tokens, l.tpm()));
      }
      if (l.rpm() > 0) {
        s.requests -= 1;
      }
      if (l.tpm() > 0) {
        s.tokens -= estimate;
      }
      return null;
    }
  }

  private static long waitSeconds(double missing, long perMinute) {
    return Math.max(1, (long) Math.ceil(missing * 60.0 / perMinute));
  }

  private void refill(State s, ConsumerConfig.Limits l) {
    long now = clock.nanoTime();
    if (s.refilledAt == 0) {
      s.requests = l.rpm();
      s.tokens = l.tpm();
    } else {
      double minutes = (now - s.refilledAt) / 60e9;
      s.requests = Math.min(l.rpm(), s.requests + minutes * l.rpm());
      s.tokens = Math.min(l.tpm(), s.tokens + minutes * l.tpm());
    }
    s.refilledAt = now;
  }

  private static void rollPeriod(State s, long period) {
    if (s.period != period) {
      s.period = period;
      s.periodUsage = new UsageLedger();
    }
  }

  /**
   * Replaces the pre-charged {@code estimate} by the actual tokens and records the usage ({@code d}
   * null: the request reached no deployment, only the pre-charge is returned).
   */
  public void reconcile(
      ConsumerConfig c, long estimate, AiConfig.Deployment d, long prompt, long completion) {
    State s = state(c);
    synchronized (s) {
      ConsumerConfig.Limits l = c.limits();
      if (l != null && l.tpm() > 0) {
        refill(s, l);
        s.tokens = Math.min(l.tpm(), s.tokens + estimate - (d == null ? 0 : prompt + completion));
      }
      if (d != null) {
        if (c.budget() != null) {
          rollPeriod(s, clock.currentTimeMillis() / c.budget().period().toMillis());
          s.periodUsage.record(c.name(), d, prompt, completion);
        }
        total.record(c.name(), d, prompt, completion);
      }
    }
  }
}
