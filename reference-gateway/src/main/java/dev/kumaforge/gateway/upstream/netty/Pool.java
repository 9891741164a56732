package dev.kumaforge.gateway.upstream.netty;

import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.upstream.Endpoint;
import dev.kumaforge.gateway.upstream.UpstreamQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;

/**
 * What the {@link Connection}s of one endpoint need from their pool, and the request admission both
 * pools share: at most {@code maxOpenRequests} requests waiting or in flight (beyond: {@link
 * Offer#FULL}). {@link NettyPool} runs one request per HTTP/1.1 connection, {@link H2Pool} one per
 * HTTP/2 stream.
 */
abstract class Pool implements UpstreamQueue {
  /** A request waiting for a connection (or a stream). */
  record Pending(HttpRequest request, Callback callback) {}

  private final String authority;
  private final Materializer materializer;
  private final LoggingAdapter log;
  private final int maxOpenRequests;
  private final AtomicInteger outstanding = new AtomicInteger();

  Pool(Endpoint endpoint, Backend backend, Materializer materializer, LoggingAdapter log) {
    this.authority = endpoint.authority();
    this.materializer = materializer;
    this.log = log;
    this.maxOpenRequests = backend.connectionPool().maxOpenRequests();
  }

  /** Counts a new request against maxOpenRequests; false when the pool is full. */
  final boolean admit() {
    if (outstanding.incrementAndGet() > maxOpenRequests) {
      outstanding.decrementAndGet();
      return false;
    }
    return true;
  }

  /** A request bound to {@code c} never left because {@code c} was already closed: wait again. */
  abstract void requeue(HttpRequest request, Callback callback);

  /** {@code c} finished its response (keep-alive): it serves the next request or idles. */
  abstract void available(Connection c);

  /** {@code c}'s channel closed. */
  abstract void lost(Connection c);

  /** A request's result is about to be delivered: it no longer counts against maxOpenRequests. */
  final void done() {
    outstanding.decrementAndGet();
  }

  /** Delivers {@code cause} to {@code callback}; a throwing callback is logged. */
  final void fail(Callback callback, Throwable cause) {
    done();
    deliver(callback, new scala.util.Failure<>(cause));
  }

  final void deliver(Callback callback, scala.util.Try<HttpResponse> t) {
    try {
      callback.onResult(t);
    } catch (RuntimeException e) {
      log.error(e, "upstream response callback failed");
    }
  }

  final String authority() {
    return authority;
  }

  final Materializer materializer() {
    return materializer;
  }
}
