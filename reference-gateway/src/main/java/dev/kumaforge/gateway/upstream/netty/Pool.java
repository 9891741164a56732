package dev.kumaforge.gateway.upstream.netty;

import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.upstream.Endpoint;
import dev.kumaforge.gateway.upstream.UpstreamQueue;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
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

  /**
   * The connection bootstrap of one endpoint: {@code group}, TCP_NODELAY, the backend's connect
   * timeout; each new channel joins {@code channels} (when given) and gets {@code pipeline}.
   */
  static Bootstrap bootstrap(
      EventLoopGroup group,
      Class<? extends SocketChannel> channelType,
      Endpoint endpoint,
      Backend backend,
      ChannelGroup channels,
      Consumer<ChannelPipeline> pipeline) {
    return new Bootstrap()
        .group(group)
        .channel(channelType)
        .remoteAddress(endpoint.host(), endpoint.port())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(
            ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.min(Integer.MAX_VALUE, backend.timeouts().connectionTimeout().toMillis()))
        .handler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                if (channels != null) {
                  channels.add(ch);
                }
                pipeline.accept(ch.pipeline());
              }
            });
  }

  /**
   * Opens {@code n} connections with {@code bootstrap}, on the calling thread's loop when it is one
   * of {@code loops}; {@code done} gets each connect's future once it is done.
   */
  static void connect(Bootstrap bootstrap, EventLoop[] loops, int n, Consumer<ChannelFuture> done) {
    if (n == 0) {
      return;
    }
    EventLoop own = EventLoops.current(loops);
    Bootstrap b = own == null ? bootstrap : bootstrap.clone(own);
    for (int i = 0; i < n; i++) {
      ChannelFuture f = b.connect();
      f.addListener(x -> done.accept(f));
    }
  }
}
