package dev.kumaforge.gateway.proxy;

import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.metrics.GatewayMetrics;
import dev.kumaforge.gateway.upstream.BackendRuntime;
import dev.kumaforge.gateway.upstream.Endpoint;
import dev.kumaforge.gateway.upstream.PekkoUpstreamQueue;
import dev.kumaforge.gateway.upstream.UpstreamQueue;
import dev.kumaforge.gateway.upstream.netty.NettyTransport;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.stream.Materializer;
import scala.concurrent.ExecutionContextExecutor;

/**
 * What every exchange shares: the Pekko HTTP client, materializer, scheduler, dispatcher, clock and
 * metrics.
 *
 * @param system the actor system
 * @param http the Pekko HTTP extension
 * @param materializer the materializer
 * @param dispatcher the Pekko dispatcher, the only executor the request path uses
 * @param clock time source
 * @param metrics metrics
 * @param log Pekko log adapter for the client pool
 * @param accessLog whether to write the JSON access log
 * @param netty the Netty upstream transport, for backends with {@code connectionPool.transport:
 *     netty}
 */
public record ProxyContext(
    ActorSystem system,
    Http http,
    Materializer materializer,
    ExecutionContextExecutor dispatcher,
    NanoClock clock,
    GatewayMetrics metrics,
    LoggingAdapter log,
    boolean accessLog,
    NettyTransport netty) {

  /** A new request queue in front of {@code endpoint}'s connection pool, on its transport. */
  public UpstreamQueue newQueue(BackendRuntime backend, Endpoint endpoint) {
    if (backend.transport() == Backend.Transport.netty) {
      return netty.newQueue(endpoint, backend.config(), backend.tls());
    }
    return new PekkoUpstreamQueue(
        http,
        materializer,
        endpoint,
        backend.tls(),
        backend.poolSettings(),
        log,
        backend.config().connectionPool().maxOpenRequests());
  }
}
