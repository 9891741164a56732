package dev.kumaforge.gateway.ai.context;

/** Where sessions live; implementations throw on failure so callers answer 503, never lose data. */
public interface SessionStore {
  /** The session, or null. */
  Session get(String id);

  /** Stores (replaces) a session. */
  void put(String id, Session session);
}
