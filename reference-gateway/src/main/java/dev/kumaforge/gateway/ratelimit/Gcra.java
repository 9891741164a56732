package dev.kumaforge.gateway.ratelimit;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The GCRA Lua script ({@code gcra.lua}): one atomic EVALSHA per decision, EVAL when the server
 * does not know the script yet (NOSCRIPT, for example after a restart); the script sets a TTL on
 * the key it writes.
 */
public final class Gcra {
  /** The script's source. */
  public static final String SCRIPT = load();

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

  private static String load() {
    try (InputStream in = Gcra.class.getResourceAsStream("gcra.lua")) {
      if (in == null) {
        throw new IllegalStateException("gcra.lua is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
