package dev.kumaforge.load.testing;

import dev.kumaforge.common.hdr.HlogTags;
import dev.kumaforge.load.engine.internal.BusyPollStrategy;
import dev.kumaforge.load.engine.internal.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A real HTTP/1.1 server on 127.0.0.1:0 answering every request after a fixed latency; it can
 * freeze (hold every answer) for a while once it has seen N requests.
 *
 * <p>The latency is exact: the event loop's timer only wakes it {@link #SPIN_NANOS} early (a timer
 * fires late by the kernel's timer slack and the wake-up), and it spins the rest. It measures its
 * own service time, request decoded to response written to the socket, in microseconds ({@link
 * #serviceTimes()}), so a test can compare the client's figures with what the server really did.
 */
public final class FixedLatencyServer implements AutoCloseable {
  /** How early the timer wakes the event loop before an answer is due; the rest is spun. */
  static final long SPIN_NANOS = 200_000L;

  private static final byte[] BODY = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);

  private final EventLoopGroup group;
  private final Channel server;
  private final long latencyNanos;
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private final Map<String, AtomicLong> byPath = new ConcurrentHashMap<>();
  private volatile long freezeAfter = Long.MAX_VALUE;
  private volatile long freezeNanos;
  private volatile long frozenUntil = Long.MIN_VALUE;
  private volatile int status = 200;
  private final Recorder service = new Recorder(HlogTags.HIGHEST_TRACKABLE_MICROS, 3);

  private FixedLatencyServer(Duration latency, boolean poll) throws InterruptedException {
    this.latencyNanos = latency.toNanos();
    this.group =
        poll
            ? Transport.group(1, "test-server", new BusyPollStrategy(() -> true).factory())
            : Transport.group(1, "test-server");
    this.server =
        new ServerBootstrap()
            .group(group)
            .channel(
                Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    accepted.incrementAndGet();
                    ch.pipeline()
                        .addLast(
                            new HttpServerCodec(),
                            new HttpObjectAggregator(1 << 20),
                            new Handler());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  /** Starts a server answering after {@code latency}. */
  public static FixedLatencyServer start(Duration latency) throws InterruptedException {
    return new FixedLatencyServer(latency, false);
  }

  /**
   * Starts a server answering after {@code latency} whose event loop polls instead of sleeping (one
   * busy core): it reads requests the moment they arrive, without wake-up latency.
   */
  public static FixedLatencyServer startPolling(Duration latency) throws InterruptedException {
    return new FixedLatencyServer(latency, true);
  }

  /** {@code http://127.0.0.1:<port>}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort());
  }

  /** Once request number {@code n} arrives, holds every answer until {@code freeze} later. */
  public void freezeAfter(long n, Duration freeze) {
    this.freezeNanos = freeze.toNanos();
    this.freezeAfter = n;
  }

  /** Answers every following request with {@code code}. */
  public void status(int code) {
    this.status = code;
  }

  /** Requests received so far for the request URI {@code uri}. */
  public long received(String uri) {
    AtomicLong n = byPath.get(uri);
    return n == null ? 0 : n.get();
  }

  /**
   * The service times (request decoded to response written, microseconds) recorded since the
   * previous call.
   */
  public Histogram serviceTimes() {
    return service.getIntervalHistogram();
  }

  /** Connections accepted so far. */
  public long accepted() {
    return accepted.get();
  }

  /** Requests received so far. */
  public long received() {
    return received.get();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // clients that time out close their connections; that is expected here
      ctx.close();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      long now = System.nanoTime();
      long n = received.incrementAndGet();
      byPath.computeIfAbsent(req.uri(), k -> new AtomicLong()).incrementAndGet();
      if (n == freezeAfter) {
        frozenUntil = now + freezeNanos;
      }
      long answerAt = Math.max(now + latencyNanos, frozenUntil);
      FullHttpResponse resp =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(status),
              Unpooled.wrappedBuffer(BODY));
      resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
      resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length);
      ctx.executor()
          .schedule(
              () -> {
                while (answerAt - System.nanoTime() > 0) {
                  Thread.onSpinWait();
                }
                ctx.writeAndFlush(resp)
                    .addListener(
                        f -> {
                          if (f.isSuccess()) {
                            service.recordValue(
                                Math.min(
                                    (System.nanoTime() - now) / 1000,
                                    HlogTags.HIGHEST_TRACKABLE_MICROS));
                          }
                        });
              },
              Math.max(0, answerAt - now - SPIN_NANOS),
              TimeUnit.NANOSECONDS);
    }
  }
}
