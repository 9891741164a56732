package dev.kumaforge.load.testing;

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
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP/1.1 server on 127.0.0.1:0 streaming OpenAI-style SSE chunks: headers and a role-only
 * chunk at once, the first content chunk after {@code ttft}, then one every {@code itl}, then a
 * usage chunk reporting {@code usageTokens} and {@code [DONE]}, each flushed on its own.
 */
public final class StreamingServer implements AutoCloseable {
  private final EventLoopGroup group;
  private final Channel server;
  private final long ttftNanos;
  private final long itlNanos;
  private final int contentChunks;
  private final int usageTokens;

  private StreamingServer(Duration ttft, Duration itl, int contentChunks, int usageTokens)
      throws InterruptedException {
    this.ttftNanos = ttft.toNanos();
    this.itlNanos = itl.toNanos();
    this.contentChunks = contentChunks;
    this.usageTokens = usageTokens;
    this.group = Transport.group(1, "test-sse");
    this.server =
        new ServerBootstrap()
            .group(group)
            .channel(
                Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
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

  /** Starts a streaming server. */
  public static StreamingServer start(
      Duration ttft, Duration itl, int contentChunks, int usageTokens) throws InterruptedException {
    return new StreamingServer(ttft, itl, contentChunks, usageTokens);
  }

  /** {@code http://127.0.0.1:<port>}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort());
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static void event(ChannelHandlerContext ctx, String json) {
    ctx.writeAndFlush(
        new DefaultHttpContent(
            Unpooled.copiedBuffer("data: " + json + "\n\n", StandardCharsets.UTF_8)));
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // clients that time out close their connections; that is expected here
      ctx.close();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      HttpResponse resp = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
      resp.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      ctx.write(resp);
      event(ctx, "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}");
      for (int i = 0; i < contentChunks; i++) {
        long at = ttftNanos + i * itlNanos;
        boolean last = i == contentChunks - 1;
        ctx.executor()
            .schedule(
                () -> {
                  event(ctx, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok \"}}]}");
                  if (last) {
                    event(
                        ctx,
                        "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":"
                            + usageTokens
                            + "}}");
                    ctx.write(
                        new DefaultHttpContent(
                            Unpooled.copiedBuffer("data: [DONE]\n\n", StandardCharsets.UTF_8)));
                    ctx.writeAndFlush(new DefaultLastHttpContent());
                  }
                },
                at,
                TimeUnit.NANOSECONDS);
      }
    }
  }
}
