package dev.kumaforge.gateway.ai;

import dev.kumaforge.gateway.config.AiConfig;
import dev.kumaforge.gateway.consumer.ConsumerConfig;
import dev.kumaforge.gateway.ratelimit.RedisConnections;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Per-consumer request and token limits and money budgets shared by gateway replicas through Redis
 * ({@code ai.accounting.redis}): the pre-charge (budget check, one request, the estimated tokens)
 * is one atomic script, the reconciliation (actual minus estimated tokens, the cost) another. RPM
 * and TPM are GCRA buckets refilled per minute, like the local ones; a budget is a counter of
 * nano-USD per period of Redis' clock. Keys: {@code <keyPrefix>ai:rpm:<consumer>}, {@code
 * ...ai:tpm:<consumer>}, {@code ...ai:budget:<consumer>:<period index>}, each with a TTL.
 */
final class SharedAccounting {
  /** Why a pre-charge was refused, or 0 when it was taken. */
  static final int OK = 0;

  static final int BUDGET = 1;
  static final int RPM = 2;
  static final int TPM = 3;

  static final String ADMIT =
      """
      -- KEYS: rpm key, tpm key, budget key prefix (the period index is appended)
      -- ARGV: rpm (0: none), tpm (0: none), estimate, budget nano-USD (0: none), period ms
      -- returns {0 taken | 1 budget | 2 rpm | 3 tpm, retry-after ms, spent nano-USD, reset ms}
      if redis.replicate_commands then
        pcall(redis.replicate_commands)
      end
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
      local rpm = tonumber(ARGV[1])
      local tpm = tonumber(ARGV[2])
      local estimate = tonumber(ARGV[3])
      local budget = tonumber(ARGV[4])
      local periodUs = tonumber(ARGV[5]) * 1000
      if budget > 0 then
        local period = math.floor(now / periodUs)
        local spent = tonumber(redis.call('GET', KEYS[3] .. period) or '0')
        if spent >= budget then
          return {1, math.ceil(((period + 1) * periodUs - now) / 1000), spent,
                  math.ceil(((period + 1) * periodUs - now) / 1000)}
        end
      end
      local function tat(key)
        local v = tonumber(redis.call('GET', key))
        if v == nil or v < now then
          return now
        end
        return v
      end
      local rpmTat = 0
      local tpmTat = 0
      if rpm > 0 then
        local e = 60000000 / rpm
        rpmTat = tat(KEYS[1]) + e
        if rpmTat - e * rpm > now then
          return {2, math.ceil((rpmTat - e * rpm - now) / 1000), 0, 0}
        end
      end
      if tpm > 0 then
        local e = 60000000 / tpm
        tpmTat = tat(KEYS[2]) + e * estimate
        if tpmTat - e * tpm > now then
          return {3, math.ceil((tpmTat - e * tpm - now) / 1000), 0, 0}
        end
      end
      if rpm > 0 then
        redis.call('SET', KEYS[1], string.format('%.0f', rpmTat), 'PX',
                   math.ceil((rpmTat - now) / 1000) + 1)
      end
      if tpm > 0 then
        redis.call('SET', KEYS[2], string.format('%.0f', tpmTat), 'PX',
                   math.ceil((tpmTat - now) / 1000) + 1)
      end
      return {0, 0, 0, 0}
      """;

  static final String RECONCILE =
      """
      -- KEYS: tpm key, budget key prefix
      -- ARGV: tpm (0: none), actual - estimated tokens, cost nano-USD, period ms
      if redis.replicate_commands then
        pcall(redis.replicate_commands)
      end
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
      local tpm = tonumber(ARGV[1])
      local delta = tonumber(ARGV[2])
      local cost = tonumber(ARGV[3])
      local periodUs = tonumber(ARGV[4]) * 1000
      if tpm > 0 and delta ~= 0 then
        local v = tonumber(redis.call('GET', KEYS[1]))
        if v == nil or v < now then
          v = now
        end
        v = v + (60000000 / tpm) * delta
        if v > now then
          redis.call('SET', KEYS[1], string.format('%.0f', v), 'PX',
                     math.ceil((v - now) / 1000) + 1)
        else
          redis.call('DEL', KEYS[1])
        end
      end
      if cost > 0 and periodUs > 0 then
        local period = math.floor(now / periodUs)
        local key = KEYS[2] .. period
        redis.call('INCRBY', key, cost)
        redis.call('PEXPIRE', key, math.ceil(((period + 1) * periodUs - now) / 1000) + 60000)
      end
      return {1}
      """;

  private static final String ADMIT_SHA = sha1(ADMIT);
  private static final String RECONCILE_SHA = sha1(RECONCILE);

  private final RedisConnections.Link link;
  private final AiConfig.SharedAccounting config;
  private final String prefix;

  SharedAccounting(RedisConnections.Link link, AiConfig.SharedAccounting config) {
    this.link = link;
    this.config = config;
    this.prefix = link.keyPrefix() + "ai:";
  }

  /** The failure mode and timeout. */
  AiConfig.SharedAccounting config() {
    return config;
  }

  /**
   * Pre-charges {@code estimate} tokens and one request for {@code c}: completes with {code, retry
   * ms, spent nano-USD, reset ms}, or exceptionally when Redis fails or times out.
   */
  CompletableFuture<List<Object>> admit(ConsumerConfig c, long estimate) {
    ConsumerConfig.Limits l = c.limits();
    ConsumerConfig.Budget b = c.budget();
    String[] keys = {
      prefix + "rpm:" + c.name(), prefix + "tpm:" + c.name(), prefix + "budget:" + c.name() + ":"
    };
    String[] args = {
      Long.toString(l == null ? 0 : l.rpm()),
      Long.toString(l == null ? 0 : l.tpm()),
      Long.toString(estimate),
      Long.toString(b == null ? 0 : nanoUsd(b.usd())),
      Long.toString(b == null ? 1 : b.period().toMillis())
    };
    return call(ADMIT, ADMIT_SHA, keys, args);
  }

  /** Replaces the pre-charged estimate with the actual tokens and adds {@code costUsd}. */
  CompletableFuture<List<Object>> reconcile(
      ConsumerConfig c, long estimate, long actualTokens, double costUsd) {
    ConsumerConfig.Limits l = c.limits();
    ConsumerConfig.Budget b = c.budget();
    long tpm = l == null ? 0 : l.tpm();
    long cost = b == null ? 0 : nanoUsd(costUsd);
    String[] keys = {prefix + "tpm:" + c.name(), prefix + "budget:" + c.name() + ":"};
    String[] args = {
      Long.toString(tpm),
      Long.toString(actualTokens - estimate),
      Long.toString(cost),
      Long.toString(b == null ? 0 : b.period().toMillis())
    };
    return call(RECONCILE, RECONCILE_SHA, keys, args);
  }

  /** A refusal for an admit result that was not {@link #OK}. */
  static Accounting.Refusal refusal(ConsumerConfig c, long estimate, List<Object> r) {
    int code = ((Long) r.get(0)).intValue();
    long retrySeconds = Math.max(1, ((Long) r.get(1) + 999) / 1000);
    return switch (code) {
      case BUDGET ->
          new Accounting.Refusal(
              "budget_exceeded",
              String.format(
                  Locale.ROOT,
                  "consumer %s spent %.6f USD of its %.6f USD budget for this period (shared by"
                      + " all replicas); it resets in %d s",
                  c.name(),
                  (Long) r.get(2) / 1e9,
                  c.budget().usd(),
                  retrySeconds),
              retrySeconds);
      case RPM ->
          new Accounting.Refusal(
              "rate_limit_exceeded",
              "consumer "
                  + c.name()
                  + " is over its limit of "
                  + c.limits().rpm()
                  + " requests per minute",
              retrySeconds);
      default ->
          new Accounting.Refusal(
              "rate_limit_exceeded",
              "consumer "
                  + c.name()
                  + " is over its limit of "
                  + c.limits().tpm()
                  + " tokens per minute (this request is estimated at "
                  + estimate
                  + " tokens: prompt + max tokens)",
              estimate > c.limits().tpm() ? 60 : Math.min(60, retrySeconds));
    };
  }

  private CompletableFuture<List<Object>> call(
      String script, String sha, String[] keys, String[] args) {
    return link.connection()
        .thenCompose(
            conn -> {
              RedisAsyncCommands<String, String> redis = conn.async();
              return redis
                  .<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args)
                  .toCompletableFuture()
                  .exceptionallyCompose(
                      e ->
                          unwrap(e) instanceof RedisNoScriptException
                              ? redis
                                  .<List<Object>>eval(script, ScriptOutputType.MULTI, keys, args)
                                  .toCompletableFuture()
                              : CompletableFuture.failedFuture(e));
            })
        .orTimeout(config.timeout().toNanos(), TimeUnit.NANOSECONDS);
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static long nanoUsd(double usd) {
    return Math.round(usd * 1e9);
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
