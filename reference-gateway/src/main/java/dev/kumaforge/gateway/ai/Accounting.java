package dev.kumaforge.gateway.ai;

import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.config.AiConfig;
import dev.kumaforge.gateway.consumer.ConsumerConfig;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-consumer request and token limits (token buckets refilled per minute, pre-charged with an
 * estimate and reconciled from the reported usage) and money budgets per period; local by default,
 * shared by replicas through Redis with {@code ai.accounting} ({@link SharedAccounting}).
 */
public final class Accounting {
  /**
   * Why a request was refused.
   *
   * @param code error code ({@code budget_exceeded}, {@code rate_limit_exceeded})
   * @param message the error message
   * @param retryAfterSeconds seconds until it may succeed
   */
  public record Refusal(String code, String message, long retryAfterSeconds, int status) {
    /** Over a limit or budget: 429. */
    public Refusal(String code, String message, long retryAfterSeconds) {
      this(code, message, retryAfterSeconds, 429);
    }
  }

  /**
   * The outcome of a pre-charge.
   *
   * @param refusal why not, or null when admitted
   * @param shared whether Redis took the pre-charge (the reconciliation then goes there too)
   */
  public record Admission(Refusal refusal, boolean shared) {}

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Accounting.class);
  private static final long LOG_EVERY_NANOS = 10_000_000_000L;

  private volatile SharedAccounting shared;
  private final java.util.concurrent.atomic.AtomicLong lastLogged =
      new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);

  private final NanoClock clock;
  private final UsageLedger total = new UsageLedger();
  private final Map<String, State> states = new ConcurrentHashMap<>();

  public Accounting(NanoClock clock) {
    this.clock = clock;
  }

  /** Shares limits and budgets through Redis from now on (set at start). */
  void share(SharedAccounting s) {
    this.shared = s;
  }

  /** Whether limits and budgets are shared through Redis. */
  boolean isShared() {
    return shared != null;
  }

  /**
   * Pre-charges through Redis when shared, otherwise locally. When Redis fails or exceeds {@code
   * ai.accounting.timeout}: failureMode Open decides locally (this replica's own buckets), Closed
   * refuses with 503 {@code limits_unavailable}. Completes on a Lettuce or timer thread.
   */
  CompletionStage<Admission> admitAsync(ConsumerConfig c, long estimate) {
    SharedAccounting s = shared;
    ConsumerConfig.Limits l = c.limits();
    boolean limited = c.budget() != null || (l != null && (l.rpm() > 0 || l.tpm() > 0));
    if (s == null || !limited) {
      return CompletableFuture.completedFuture(new Admission(admit(c, estimate), false));
    }
    return s.admit(c, estimate)
        .handle(
            (r, err) -> {
              if (err == null) {
                boolean ok = ((Long) r.get(0)).intValue() == SharedAccounting.OK;
                return new Admission(ok ? null : SharedAccounting.refusal(c, estimate, r), ok);
              }
              logFailure(err);
              if (s.config().failureMode() == dev.kumaforge.gateway.config.Route.FailureMode.Open) {
                return new Admission(admit(c, estimate), false);
              }
              return new Admission(
                  new Refusal(
                      "limits_unavailable",
                      "the shared limits and budget of consumer "
                          + c.name()
                          + " cannot be checked (Redis)",
                      1,
                      503),
                  false);
            });
  }

  private void logFailure(Throwable err) {
    long now = clock.nanoTime();
    long last = lastLogged.get();
    if ((last == Long.MIN_VALUE || now - last >= LOG_EVERY_NANOS)
        && lastLogged.compareAndSet(last, now)) {
      Throwable cause =
          err instanceof java.util.concurrent.CompletionException ? err.getCause() : err;
      LOG.warn(
          "shared AI limits through Redis failed ({}), failing {} (logged at most every 10 s)",
          cause instanceof java.util.concurrent.TimeoutException ? "timeout" : cause.toString(),
          shared.config().failureMode());
    }
  }

  /**
   * Reconciles an admission: through Redis when Redis took the pre-charge (the usage totals are
   * still kept here), otherwise locally.
   */
  void reconcile(
      Admission a,
      ConsumerConfig c,
      long estimate,
      AiConfig.Deployment d,
      long prompt,
      long completion) {
    SharedAccounting s = shared;
    if (a == null || !a.shared() || s == null) {
      reconcile(c, estimate, d, prompt, completion);
      return;
    }
    long actual = d == null ? 0 : prompt + completion;
    double cost = d == null ? 0 : d.price().cost(prompt, completion);
    s.reconcile(c, estimate, actual, cost)
        .whenComplete(
            (r, err) -> {
              if (err != null) {
                logFailure(err);
              }
            });
    if (d != null) {
      total.record(c.name(), d, prompt, completion);
    }
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
