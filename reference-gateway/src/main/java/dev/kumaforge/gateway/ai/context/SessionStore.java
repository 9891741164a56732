package dev.kumaforge.gateway.ai.context;

import java.util.concurrent.CompletionStage;

/**
 * Where sessions live; a failing store fails the stage, so callers answer 503 and never lose a
 * conversation silently.
 */
public interface SessionStore extends AutoCloseable {
  /** The session, or null. */
  CompletionStage<Session> get(String id);

  /** Stores (replaces) a session. */
  CompletionStage<Void> put(String id, Session session);

  @Override
  default void close() {}
}
