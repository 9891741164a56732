package dev.kumaforge.gateway.ai.context;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.kumaforge.common.time.NanoClock;
import java.time.Duration;

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
  public Session get(String id) {
    return cache.getIfPresent(id);
  }

  @Override
  public void put(String id, Session session) {
    cache.put(id, session);
  }
}
