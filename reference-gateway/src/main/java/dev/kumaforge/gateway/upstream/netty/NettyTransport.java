package dev.kumaforge.gateway.upstream.netty;

import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.upstream.Endpoint;
import dev.kumaforge.gateway.upstream.UpstreamQueue;
import dev.kumaforge.gateway.upstream.UpstreamTlsContext;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.stream.Materializer;

/**
 * The gateway's Netty upstream client: one event loop group (epoll, NIO fallback) shared by every
 * backend with {@code connectionPool.transport: netty}: either its own, created on first use and
 * shut down with the transport, or {@link EventLoops} shared with the Pekko dispatcher (owned by
 * the caller; closing the transport then closes only its connections).
 *
 * <pre>{@code
 * NettyTransport netty = new NettyTransport(1, materializer, log);      // own loops
 * NettyTransport netty = new NettyTransport(loops, materializer, log);  // shared loops
 * UpstreamQueue q = netty.newQueue(endpoint, backendConfig);
 * netty.close();
 * }</pre>
 */
public final class NettyTransport implements AutoCloseable {
  private final int threads;
  private final Materializer materializer;
  private final LoggingAdapter log;
  private final EventLoops shared;
  private final ChannelGroup channels;
  private EventLoops own;
  private boolean closed;

  /**
   * Creates the transport; its threads start with the first queue.
   *
   * @param threads event loop threads ({@code upstream.eventLoopThreads})
   * @param materializer runs streamed request bodies
   * @param log logs callback failures
   */
  public NettyTransport(int threads, Materializer materializer, LoggingAdapter log) {
    this.threads = threads;
    this.materializer = materializer;
    this.log = log;
    this.shared = null;
    this.channels = null;
  }

  /**
   * Creates the transport on {@code loops}, which the caller shuts down after {@link #close}.
   *
   * @param loops event loops shared with the Pekko dispatcher
   * @param materializer runs streamed request bodies
   * @param log logs callback failures
   */
  public NettyTransport(EventLoops loops, Materializer materializer, LoggingAdapter log) {
    this.threads = loops.size();
    this.materializer = materializer;
    this.log = log;
    this.shared = loops;
    this.channels = new DefaultChannelGroup("forge-upstream", GlobalEventExecutor.INSTANCE);
  }

  /**
   * A new pool in front of {@code endpoint} with {@code backend}'s settings: HTTP/1.1 keep-alive
   * connections, or multiplexed HTTP/2 connections for {@code protocol: h2c}.
   */
  public UpstreamQueue newQueue(Endpoint endpoint, Backend backend) {
    return newQueue(endpoint, backend, null);
  }

  /**
   * A new pool in front of {@code endpoint} with {@code backend}'s settings; {@code tls} (the
   * backend's client TLS, or null) is required for {@code protocol: h2} (HTTP/2 over TLS, ALPN h2),
   * unused with h2c, and makes an HTTP/1.1 pool's connections TLS connections.
   */
  public UpstreamQueue newQueue(Endpoint endpoint, Backend backend, UpstreamTlsContext tls) {
    EventLoops l = loops();
    if (backend.protocol() == Backend.Protocol.h2 && tls == null) {
      throw new IllegalArgumentException("protocol h2 needs the backend's tls");
    }
    if (backend.protocol() != Backend.Protocol.http1) {
      return new H2Pool(
          l.group(),
          l.channelType(),
          endpoint,
          backend,
          backend.protocol() == Backend.Protocol.h2 ? tls : null,
          materializer,
          log,
          channels);
    }
    return new NettyPool(
        l.group(), l.channelType(), endpoint, backend, tls, materializer, log, channels);
  }

  private synchronized EventLoops loops() {
    if (closed) {
      throw new IllegalStateException("the Netty upstream transport is closed");
    }
    if (shared != null) {
      return shared;
    }
    if (own == null) {
      own = new EventLoops(threads, "forge-upstream");
    }
    return own;
  }

  /**
   * Closes every connection and stops its own event loop threads (waits at most 2 s); shared loops
   * keep running.
   */
  @Override
  public void close() {
    EventLoops g;
    synchronized (this) {
      closed = true;
      g = own;
      own = null;
    }
    if (g != null) {
      g.close();
    }
    if (channels != null) {
      channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
  }
}
