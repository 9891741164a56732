package dev.kumaforge.gateway.upstream;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.ConnectHttp;
import org.apache.pekko.http.javadsl.HostConnectionPool;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import scala.util.Try;

/**
 * The Pekko transport: the front of one endpoint's host connection pool: a bounded queue offered to
 * synchronously (a full queue is POOL_OVERFLOW) whose responses are handed to the caller's callback
 * on the pool stream's own thread, without the per-request pool lookup of {@code singleRequest} and
 * without CompletionStage conversions.
 *
 * <pre>
 * offer(request, callback) -> BoundedSourceQueue -> cachedHostConnectionPool -> callback(Try)
 * </pre>
 */
public final class PekkoUpstreamQueue implements UpstreamQueue {
  private final BoundedSourceQueue<Pair<HttpRequest, Callback>> queue;
  private final LoggingAdapter log;

  /**
   * Materializes the queue and the pool flow.
   *
   * @param tls the backend's client TLS, or null for plain HTTP
   * @param bufferSize requests waiting for a pool slot before offers are refused
   */
  public PekkoUpstreamQueue(
      Http http,
      Materializer materializer,
      Endpoint endpoint,
      UpstreamTlsContext tls,
      ConnectionPoolSettings settings,
      LoggingAdapter log,
      int bufferSize) {
    // The javadsl's cachedHostConnectionPool ignores ConnectHttp's https flag: TLS needs the
    // Https variant, handed the backend's own context.
    Flow<Pair<HttpRequest, Callback>, Pair<Try<HttpResponse>, Callback>, HostConnectionPool> pool =
        tls == null
            ? http.cachedHostConnectionPool(
                ConnectHttp.toHost(endpoint.host(), endpoint.port()), settings, log)
            : http.cachedHostConnectionPoolHttps(
                ConnectHttp.toHostHttps(endpoint.host(), endpoint.port())
                    .withCustomHttpsContext(tls.https()),
                settings,
                log);
    this.queue =
        Source.<Pair<HttpRequest, Callback>>queue(bufferSize)
            .via(pool)
            .to(Sink.foreach(this::deliver))
            .run(materializer);
    this.log = log;
  }

  /** Hands a result to its callback; a failing callback must not end the shared stream. */
  private void deliver(Pair<Try<HttpResponse>, Callback> p) {
    try {
      p.second().onResult(p.first());
    } catch (RuntimeException e) {
      log.error(e, "upstream response callback failed");
    }
  }

  @Override
  public Offer offer(HttpRequest request, Callback callback) {
    QueueOfferResult r = queue.offer(Pair.create(request, callback));
    if (r == QueueOfferResult.enqueued()) {
      return Offer.ENQUEUED;
    }
    return r == QueueOfferResult.dropped() ? Offer.FULL : Offer.CLOSED;
  }

  @Override
  public void complete() {
    if (!queue.isCompleted()) {
      queue.complete();
    }
  }
}
