package dev.kumaforge.gateway.upstream;

import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import scala.util.Try;

/**
 * The front of one endpoint's upstream connection pool: offered to synchronously (a full queue is
 * POOL_OVERFLOW), answering through a callback; implemented on Pekko's host connection pool ({@link
 * PekkoUpstreamQueue}) and on Netty ({@code upstream.netty.NettyPool}), chosen per backend by
 * {@code connectionPool.transport}.
 *
 * <pre>
 * offer(request, callback) -> pool -> connection -> callback.onResult(Try&lt;HttpResponse&gt;)
 * </pre>
 */
public interface UpstreamQueue {
  /** Receives the outcome of one request. */
  @FunctionalInterface
  interface Callback {
    /** Called once with the response or the failure; must not block. */
    void onResult(Try<HttpResponse> result);

    /**
     * Called by transports that can abort a request once it is bound to a connection, before it is
     * written; {@code abort} closes that connection (the result then fails). Returns false when the
     * caller no longer wants the response: the request is then not sent and the result fails.
     */
    default boolean attached(Runnable abort) {
      return true;
    }
  }

  /** Outcome of an offer. */
  enum Offer {
    /** Queued; the callback will be called. */
    ENQUEUED,
    /** The queue is full (POOL_OVERFLOW); the callback will not be called. */
    FULL,
    /** The queue's stream ended (completed or failed); use a new queue. */
    CLOSED
  }

  /** Enqueues {@code request}. */
  Offer offer(HttpRequest request, Callback callback);

  /** Stops accepting requests; those queued or in flight still complete. */
  void complete();

  /** Connections open or opening, or -1 when the transport does not tell (Pekko's pool). */
  default int openConnections() {
    return -1;
  }
}
