package dev.kumaforge.gateway.upstream.netty;

import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.upstream.Endpoint;
import dev.kumaforge.gateway.upstream.UpstreamQueue;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.stream.Materializer;

/**
 * The gateway's Netty upstream client: one event loop group (epoll, NIO fallback) shared by every
 * backend with {@code connectionPool.transport: netty}, created on first use and shut down with the
 * gateway.
 *
 * <pre>{@code
 * NettyTransport netty = new NettyTransport(1, materializer, log);
 * UpstreamQueue q = netty.newQueue(endpoint, backendConfig);
 * netty.close();
 * }</pre>
 */
public final class NettyTransport implements AutoCloseable {
  private final int threads;
  private final Materializer materializer;
  private final LoggingAdapter log;
  private EventLoopGroup group;
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
  }

  /** Whether native epoll is used. */
  public static boolean epoll() {
    return Epoll.isAvailable();
  }

  /** A new keep-alive pool in front of {@code endpoint} with {@code backend}'s settings. */
  public UpstreamQueue newQueue(Endpoint endpoint, Backend backend) {
    return new NettyPool(group(), channelType(), endpoint, backend, materializer, log);
  }

  private synchronized EventLoopGroup group() {
    if (closed) {
      throw new IllegalStateException("the Netty upstream transport is closed");
    }
    if (group == null) {
      IoHandlerFactory factory = epoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
      group =
          new MultiThreadIoEventLoopGroup(
              threads, new DefaultThreadFactory("forge-upstream", true), factory);
    }
    return group;
  }

  private static Class<? extends SocketChannel> channelType() {
    return epoll() ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /** Closes every connection and stops the event loop threads (waits at most 2 s). */
  @Override
  public void close() {
    EventLoopGroup g;
    synchronized (this) {
      closed = true;
      g = group;
      group = null;
    }
    if (g != null) {
      g.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
  }
}
