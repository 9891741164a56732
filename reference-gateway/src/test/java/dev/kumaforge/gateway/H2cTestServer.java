package dev.kumaforge.gateway;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A real HTTP/2 server that speaks only h2c with prior knowledge (Netty's server connection
 * handler: an HTTP/1.1 request is a protocol error and closes the connection), for upstream tests
 * that need what the mock providers do not do: refusing a stream (RST_STREAM REFUSED_STREAM, or a
 * GOAWAY whose last-stream-id is below it) or resetting one after processing it. A test decides the
 * answer per complete request ({@link #behave}); {@link #seen} lists the requests it processed (not
 * the refused ones).
 */
final class H2cTestServer implements AutoCloseable {
  /** What the server does with a request. */
  enum Action {
    /** Answers with the status and body. */
    RESPOND,
    /** RST_STREAM REFUSED_STREAM: not processed. */
    REFUSE,
    /** GOAWAY NO_ERROR with last-stream-id below this stream: not processed. */
    GOAWAY,
    /** Processed (counted in {@link #seen}), then RST_STREAM INTERNAL_ERROR. */
    RESET
  }

  /** The answer to one request. */
  record Answer(Action action, int status, String body) {
    static Answer respond(int status, String body) {
      return new Answer(Action.RESPOND, status, body);
    }

    static final Answer REFUSE = new Answer(Action.REFUSE, 0, null);
    static final Answer GOAWAY = new Answer(Action.GOAWAY, 0, null);
    static final Answer RESET = new Answer(Action.RESET, 0, null);
  }

  /** A request as the server received it. */
  record Seen(String method, String path, String body) {}

  /** Requests processed (answered or reset after processing); refused ones are not here. */
  final List<Seen> seen = new CopyOnWriteArrayList<>();

  /** Streams refused (REFUSE and GOAWAY answers). */
  final AtomicInteger refused = new AtomicInteger();

  /** TCP connections accepted. */
  final AtomicInteger connections = new AtomicInteger();

  private final AtomicInteger requests = new AtomicInteger();
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private volatile BiFunction<Seen, Integer, Answer> behaviour =
      (r, n) -> Answer.respond(200, "{\"upstream\":\"h2c\"}");

  H2cTestServer() throws InterruptedException {
    this(null);
  }

  /** With {@code tls}: HTTP/2 over TLS (what ALPN the context offers is up to the test). */
  H2cTestServer(SslContext tls) throws InterruptedException {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.incrementAndGet();
                    if (tls != null) {
                      ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    }
                    ch.pipeline().addLast(new Builder().build());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  /** {@code host:port}. */
  String address() {
    return "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** Decides the answers from now on: the request and its number (1 for the first one). */
  void behave(BiFunction<Seen, Integer, Answer> b) {
    behaviour = b;
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private final class Builder extends AbstractHttp2ConnectionHandlerBuilder<Handler, Builder> {
    @Override
    public Handler build() {
      return super.build();
    }

    @Override
    protected Handler build(
        Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
      Handler h = new Handler(decoder, encoder, settings);
      frameListener(h.listener);
      return h;
    }
  }

  private final class Handler extends Http2ConnectionHandler {
    private final Map<Integer, String[]> heads = new HashMap<>();
    private final Map<Integer, ByteArrayOutputStream> bodies = new HashMap<>();

    final Http2FrameAdapter listener =
        new Http2FrameAdapter() {
          @Override
          public void onHeadersRead(
              ChannelHandlerContext ctx,
              int streamId,
              Http2Headers headers,
              int padding,
              boolean endStream) {
            heads.put(
                streamId, new String[] {headers.method().toString(), headers.path().toString()});
            bodies.put(streamId, new ByteArrayOutputStream());
            if (endStream) {
              complete(ctx, streamId);
            }
          }

          @Override
          public void onHeadersRead(
              ChannelHandlerContext ctx,
              int streamId,
              Http2Headers headers,
              int streamDependency,
              short weight,
              boolean exclusive,
              int padding,
              boolean endStream) {
            onHeadersRead(ctx, streamId, headers, padding, endStream);
          }

          @Override
          public int onDataRead(
              ChannelHandlerContext ctx,
              int streamId,
              ByteBuf data,
              int padding,
              boolean endOfStream) {
            int n = data.readableBytes() + padding;
            ByteArrayOutputStream b = bodies.get(streamId);
            if (b != null) {
              byte[] bytes = new byte[data.readableBytes()];
              data.getBytes(data.readerIndex(), bytes);
              b.writeBytes(bytes);
              if (endOfStream) {
                complete(ctx, streamId);
              }
            }
            return n;
          }
        };

    Handler(
        Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
      super(decoder, encoder, settings);
    }

    private void complete(ChannelHandlerContext ctx, int streamId) {
      String[] head = heads.remove(streamId);
      String body = bodies.remove(streamId).toString(StandardCharsets.UTF_8);
      Seen request = new Seen(head[0], head[1], body);
      Answer a = behaviour.apply(request, requests.incrementAndGet());
      switch (a.action()) {
        case REFUSE -> {
          refused.incrementAndGet();
          encoder()
              .writeRstStream(ctx, streamId, Http2Error.REFUSED_STREAM.code(), ctx.newPromise());
        }
        case GOAWAY -> {
          refused.incrementAndGet();
          goAway(
              ctx,
              Math.max(0, streamId - 2),
              Http2Error.NO_ERROR.code(),
              Unpooled.EMPTY_BUFFER,
              ctx.newPromise());
        }
        case RESET -> {
          seen.add(request);
          encoder()
              .writeRstStream(ctx, streamId, Http2Error.INTERNAL_ERROR.code(), ctx.newPromise());
        }
        case RESPOND -> {
          seen.add(request);
          byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
          Http2Headers h =
              new DefaultHttp2Headers()
                  .status(Integer.toString(a.status()))
                  .set("content-type", "application/json")
                  .setInt("content-length", bytes.length);
          encoder().writeHeaders(ctx, streamId, h, 0, false, ctx.newPromise());
          encoder()
              .writeData(ctx, streamId, Unpooled.wrappedBuffer(bytes), 0, true, ctx.newPromise());
        }
        default -> throw new IllegalStateException(a.action().name());
      }
      ctx.flush();
    }
  }
}
