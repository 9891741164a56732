package dev.kumaforge.gateway.ai.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the tokens of OpenAI-style chat messages the way OpenAI documents it (3 tokens per
 * message, +1 per name, + the content's tokens); tool calls and non-text parts count as their JSON
 * text. Counts are cached per (encoding, message).
 */
public final class TokenCounter {
  /** Tokens every message costs besides its content. */
  public static final int PER_MESSAGE = 3;

  /** Tokens priming the assistant's reply. */
  public static final int REPLY_PRIMING = 3;

  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

  /** The encodings {@link #warm} loaded in this JVM. */
  private static final Set<String> WARMED = ConcurrentHashMap.newKeySet();

  private final Map<String, Encoding> encodings = new ConcurrentHashMap<>();
  private final Cache<String, Integer> cache;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  /** A counter caching up to {@code cacheSize} message counts (0: no cache). */
  public TokenCounter(int cacheSize) {
    this.cache = cacheSize <= 0 ? null : Caffeine.newBuilder().maximumSize(cacheSize).build();
  }

  private Encoding encoding(String name) {
    return encodings.computeIfAbsent(
        name,
        n ->
            REGISTRY
                .getEncoding(n)
                .orElseThrow(() -> new IllegalArgumentException("unknown encoding " + n)));
  }

  /**
   * Loads {@code encoding}'s tables now (tens of MB for o200k_base, about 0.5 s), so that no
   * request pays for it and the tables are allocated before the gateway takes traffic. True when
   * this call loaded them (the first for this encoding in this JVM: jtokkit's registry keeps them).
   */
  public boolean warm(String encoding) {
    encoding(encoding).countTokensOrdinary("warm");
    return WARMED.add(encoding);
  }

  /** Tokens of plain {@code text}. */
  public int text(String encoding, String text) {
    return text == null || text.isEmpty() ? 0 : encoding(encoding).countTokensOrdinary(text);
  }

  /** Tokens of one message, from the cache when it was counted before. */
  public int message(String encoding, JsonNode message) {
    if (cache == null) {
      return count(encoding, message);
    }
    String key = encoding + '\u0000' + message.toString();
    Integer n = cache.getIfPresent(key);
    if (n != null) {
      hits.increment();
      return n;
    }
    misses.increment();
    int c = count(encoding, message);
    cache.put(key, c);
    return c;
  }

  /** Tokens of a whole prompt: every message plus the reply priming. */
  public int messages(String encoding, Iterable<JsonNode> messages) {
    int n = REPLY_PRIMING;
    for (JsonNode m : messages) {
      n += message(encoding, m);
    }
    return n;
  }

  private int count(String encoding, JsonNode m) {
    int n = PER_MESSAGE + text(encoding, m.path("role").asText(""));
    JsonNode content = m.path("content");
    if (content.isTextual()) {
      n += text(encoding, content.asText());
    } else if (content.isArray()) {
      for (JsonNode part : content) {
        n +=
            part.path("text").isTextual()
                ? text(encoding, part.get("text").asText())
                : text(encoding, part.toString());
      }
    }
    if (m.path("name").isTextual()) {
      n += 1 + text(encoding, m.get("name").asText());
    }
    if (m.path("tool_calls").isArray()) {
      n += text(encoding, m.get("tool_calls").toString());
    }
    if (m.path("tool_call_id").isTextual()) {
      n += text(encoding, m.get("tool_call_id").asText());
    }
    return n;
  }

  /** Cache hits so far. */
  public long hits() {
    return hits.sum();
  }

  /** Cache misses so far. */
  public long misses() {
    return misses.sum();
  }
}
