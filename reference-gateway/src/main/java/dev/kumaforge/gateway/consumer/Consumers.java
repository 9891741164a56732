package dev.kumaforge.gateway.consumer;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * Identifies the consumer of a request from {@code Authorization: Bearer KEY} or {@code x-api-key:
 * KEY}. Verified keys are remembered by their unsalted digest (memory only) so the salted hashes
 * are checked once per key.
 */
public final class Consumers {
  private final List<ConsumerConfig> consumers;
  private final Cache<String, ConsumerConfig> verified =
      Caffeine.newBuilder().maximumSize(10_000).build();

  public Consumers(List<ConsumerConfig> consumers) {
    this.consumers = List.copyOf(consumers);
  }

  /** Whether any consumer is configured. */
  public boolean isEmpty() {
    return consumers.isEmpty();
  }

  /** The API key a request presents, or null. */
  public static String presentedKey(HttpRequest request) {
    Optional<org.apache.pekko.http.javadsl.model.HttpHeader> auth =
        request.getHeader("authorization");
    if (auth.isPresent()) {
      String v = auth.get().value();
      if (v.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return v.substring(7).trim();
      }
    }
    return request.getHeader("x-api-key").map(h -> h.value().trim()).orElse(null);
  }

  /** The consumer owning {@code key}, or null. */
  public ConsumerConfig find(String key) {
    if (key == null || key.isEmpty()) {
      return null;
    }
    String digest = digest(key);
    ConsumerConfig hit = verified.getIfPresent(digest);
    if (hit != null) {
      return hit;
    }
    for (ConsumerConfig c : consumers) {
      for (String hash : c.apiKeys()) {
        if (ApiKeyHash.matches(hash, key)) {
          verified.put(digest, c);
          return c;
        }
      }
    }
    return null;
  }

  private static String digest(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
