package dev.kumaforge.backends;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A minimal h2c (prior knowledge) client over one connection for the tests: Netty's codec. */
final class H2Client implements AutoCloseable {
  /** What a stream received. */
  record Result(int status, Http2Headers headers, String body, boolean reset) {}

  /** One request's stream. */
  static final class Stream {
    final CompletableFuture<Result> done = new CompletableFuture<>();
    final StringBuffer body = new StringBuffer();
    volatile Http2Headers headers;
    volatile Channel channel;
    volatile boolean reset;

    /** Cancels the stream (RST_STREAM CANCEL). */
    void cancel() {
      channel.close();
    }

    Result await() throws Exception {
      return done.get(15, TimeUnit.SECONDS);
    }
  }

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel parent;
  private final String authority;

  H2Client(String baseUrl) throws InterruptedException {
    URI u = URI.create(baseUrl);
    authority = u.getAuthority();
    parent =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            Http2FrameCodecBuilder.forClient().build(),
                            new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                  }
                })
            .connect(u.getHost(), u.getPort())
            .sync()
            .channel();
  }

  /** Sends a request on a new stream. */
  Stream send(String method, String path, String body, Map<String, String> headers)
      throws InterruptedException {
    Stream s = new Stream();
    Http2StreamChannel ch =
        new Http2StreamChannelBootstrap(parent)
            .handler(
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    try {
                      boolean end = false;
                      if (msg instanceof Http2HeadersFrame h) {
                        if (s.headers == null) {
                          s.headers = h.headers();
                        }
                        end = h.isEndStream();
                      } else if (msg instanceof Http2DataFrame d) {
                        s.body.append(d.content().toString(StandardCharsets.UTF_8));
                        end = d.isEndStream();
                      }
                      if (end) {
                        s.done.complete(result(s, false));
                      }
                    } finally {
                      ReferenceCountUtil.release(msg);
                    }
                  }

                  @Override
                  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                    if (evt instanceof Http2ResetFrame) {
                      s.reset = true; // frames read before it may still be queued
                    }
                  }

                  @Override
                  public void channelInactive(ChannelHandlerContext ctx) {
                    s.done.complete(result(s, s.reset || !s.done.isDone()));
                  }
                })
            .open()
            .sync()
            .getNow();
    s.channel = ch;
    Http2Headers h =
        new DefaultHttp2Headers().method(method).path(path).scheme("http").authority(authority);
    headers.forEach((k, v) -> h.add(k.toLowerCase(java.util.Locale.ROOT), v));
    boolean hasBody = body != null && !body.isEmpty();
    ch.write(new DefaultHttp2HeadersFrame(h, !hasBody));
    if (hasBody) {
      ch.write(
          new DefaultHttp2DataFrame(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), true));
    }
    ch.flush();
    return s;
  }

  private static Result result(Stream s, boolean reset) {
    Http2Headers h = s.headers;
    int status = h == null || h.status() == null ? 0 : Integer.parseInt(h.status().toString());
    return new Result(status, h, s.body.toString(), reset);
  }

  @Override
  public void close() {
    parent.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
  }
}
