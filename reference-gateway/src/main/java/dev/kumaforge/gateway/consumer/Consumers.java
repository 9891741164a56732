package dev.kumaforge.gateway.consumer;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Finds the consumer owning an API key (presented as {@code Authorization: Bearer KEY} or {@code
 * x-api-key: KEY}, see {@code auth.Authenticator}). Verified keys are remembered by their unsalted
 * digest (memory only) so the salted hashes are checked once per key; a reload builds a new
 * instance, so a revoked key is forgotten at once.
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
