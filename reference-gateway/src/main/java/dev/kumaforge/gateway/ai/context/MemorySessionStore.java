package dev.kumaforge.gateway.ai.context;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.kumaforge.common.time.NanoClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Sessions in memory (Caffeine), forgotten after {@code ttl} without use. */
public final class MemorySessionStore implements SessionStore {
  private final Cache<String, Session> cache;

  public MemorySessionStore(Duration ttl, long maxSessions, NanoClock clock) {
    Ticker ticker = clock::nanoTime;
    this.cache =
        Caffeine.newBuilder()
            .expireAfterAccess(ttl)
            .maximumSize(maxSessions)
            .ticker(ticker)
            .build();
  }

  @Override
  public CompletionStage<Session> get(String id) {
    return CompletableFuture.completedFuture(cache.getIfPresent(id));
  }

  @Override
  public CompletionStage<Void> put(String id, Session session) {
    cache.put(id, session);
    return CompletableFuture.completedFuture(null);
  }
}
