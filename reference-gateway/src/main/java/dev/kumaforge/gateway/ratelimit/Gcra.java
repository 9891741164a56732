package dev.kumaforge.gateway.ratelimit;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The GCRA Lua script: one atomic EVALSHA per decision, EVAL when the server does not know the
 * script yet (NOSCRIPT, for example after a restart); the script sets a TTL on the key it writes.
 */
public final class Gcra {
  /** The script's source. */
  public static final String SCRIPT =
      """
      -- GCRA (generic cell rate algorithm) on one key, atomic; time from the Redis server (one clock
      -- for every replica). The key holds the theoretical arrival time (TAT) in microseconds and
      -- expires when the bucket would be full again, so every key carries a TTL.
      -- KEYS[1]  bucket key
      -- ARGV[1]  emission interval in microseconds (interval / num)
      -- ARGV[2]  capacity (burst), in tokens
      -- ARGV[3]  cost of this request in tokens (negative: give tokens back)
      -- ARGV[4]  1: apply the cost even when over the limit (reconciliation), 0: refuse instead
      -- returns {allowed 0|1, remaining tokens, retry-after us, us until full}
      if redis.replicate_commands then
        pcall(redis.replicate_commands)
      end
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
      local emission = tonumber(ARGV[1])
      local capacity = tonumber(ARGV[2])
      local cost = tonumber(ARGV[3])
      local force = ARGV[4] == '1'
      local tolerance = emission * capacity
      local tat = tonumber(redis.call('GET', KEYS[1]))
      if tat == nil or tat < now then
        tat = now
      end
      local newTat = tat + emission * cost
      if newTat < now then
        newTat = now
      end
      local allowAt = newTat - tolerance
      if allowAt > now and not force then
        return {0, 0, math.ceil(allowAt - now), math.ceil(tat - now)}
      end
      local ttlMs = math.ceil((newTat - now) / 1000) + 1
      redis.call('SET', KEYS[1], string.format('%.0f', newTat), 'PX', ttlMs)
      local remaining = math.floor((tolerance - (newTat - now)) / emission)
      if remaining < 0 then
        remaining = 0
      end
      return {1, remaining, 0, math.ceil(newTat - now)}
      """;

  /** SHA-1 of {@link #SCRIPT}, as EVALSHA expects. */
  public static final String SHA = sha1(SCRIPT);

  private Gcra() {}

  /**
   * A decision.
   *
   * @param allowed whether the cost was taken
   * @param remaining whole tokens left afterwards
   * @param retryAfterMicros when refused: microseconds until the cost would be allowed
   * @param resetMicros microseconds until the bucket is full again
   */
  public record Result(boolean allowed, long remaining, long retryAfterMicros, long resetMicros) {}

  /**
   * Takes {@code cost} tokens from the bucket {@code key} of {@code capacity} tokens refilled one
   * token per {@code emissionMicros}; with {@code force} the cost is applied even over the limit (a
   * negative cost gives tokens back).
   */
  public static CompletionStage<Result> take(
      RedisAsyncCommands<String, String> redis,
      String key,
      long emissionMicros,
      long capacity,
      long cost,
      boolean force) {
    String[] keys = {key};
    String[] args = {
      Long.toString(emissionMicros), Long.toString(capacity), Long.toString(cost), force ? "1" : "0"
    };
    CompletableFuture<List<Object>> sha =
        redis.<List<Object>>evalsha(SHA, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
    return sha.exceptionallyCompose(
            e ->
                unwrap(e) instanceof RedisNoScriptException
                    ? redis
                        .<List<Object>>eval(SCRIPT, ScriptOutputType.MULTI, keys, args)
                        .toCompletableFuture()
                    : CompletableFuture.failedFuture(e))
        .thenApply(Gcra::result);
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static Result result(List<Object> reply) {
    return new Result(
        ((Long) reply.get(0)) == 1L, (Long) reply.get(1), (Long) reply.get(2), (Long) reply.get(3));
  }

  private static String sha1(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
