package dev.kumaforge.gateway.upstream.netty;

import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.upstream.Endpoint;
import dev.kumaforge.gateway.upstream.UpstreamException;
import dev.kumaforge.gateway.upstream.UpstreamFailure;
import dev.kumaforge.gateway.upstream.UpstreamTlsContext;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.stream.Materializer;

/**
 * One endpoint's HTTP/2 pool on the Netty transport ({@code protocol: h2c}: prior knowledge on
 * plain TCP; {@code protocol: h2}: TLS with the backend's {@code tls}, ALPN h2 only, then the
 * same): a few multiplexed connections, each carrying up to {@code
 * connectionPool.maxConcurrentStreams} requests at once (fewer when the peer's
 * SETTINGS_MAX_CONCURRENT_STREAMS says so); another connection opens only when the open ones are
 * full, up to {@code maxConnections}. Every request is one stream: a child channel whose {@link
 * Connection} (behind {@code Http2StreamFrameToHttpObjectCodec}) handles it as on HTTP/1.1, so
 * timeouts, cancellation (an RST_STREAM of that stream only), back-pressure (the stream reads on
 * demand; Netty returns its flow-control window as the body is consumed) and failure mapping are
 * the same.
 *
 * <pre>
 * offer -> connection with a free stream (own loop first)? -> new stream -> Connection.send
 *       -> else pending (+ connect while pending > streams coming and open < maxConnections)
 * SETTINGS (first: ready) -> pending requests get streams up to the connection's limit
 * stream closed -> next pending request on that connection
 * GOAWAY -> no new streams there; closed when its last stream ends; connection lost -> its
 *           streams fail (RESET); before its first SETTINGS -> CONNECT_ERROR for the requests
 *           that waited for it ("does it speak h2c?")
 * RST_STREAM REFUSED_STREAM (before a response), stream above the GOAWAY's last-stream-id
 *        -> REFUSED_STREAM: the caller (Exchange, Call) sends the request again
 * </pre>
 */
final class H2Pool extends Pool {
  /** Per-stream receive window (bytes): what a stream may hold unread before its peer waits. */
  static final int STREAM_WINDOW = 128 * 1024;

  private static final String ALPN_H2 = "h2";

  private final Bootstrap bootstrap;
  private final int maxConnections;
  private final int maxStreams;
  private final long handshakeNanos;
  private final EventLoop[] loops;
  private final ArrayList<Link> links = new ArrayList<>();
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private final long streamTickNanos;
  private final boolean tls;
  private int open;
  private int connecting;

  /** Streams a new connection is expected to take: the last peer limit seen, else our own. */
  private int expectedStreams;

  private volatile boolean closed;

  H2Pool(
      EventLoopGroup group,
      Class<? extends SocketChannel> channelType,
      Endpoint endpoint,
      Backend backend,
      UpstreamTlsContext tls,
      Materializer materializer,
      LoggingAdapter log,
      ChannelGroup channels) {
    super(endpoint, backend, materializer, log);
    this.tls = tls != null;
    this.loops = EventLoops.loopsOf(group);
    this.maxConnections = backend.connectionPool().maxConnections();
    this.maxStreams = backend.connectionPool().maxConcurrentStreams();
    this.expectedStreams = maxStreams;
    this.handshakeNanos = backend.timeouts().connectionTimeout().toNanos();
    this.streamTickNanos = backend.timeouts().http().streamIdleTimeout().toNanos();
    long keepAlive = backend.connectionPool().keepAlive().toNanos();
    int connectionWindow =
        (int) Math.min(Integer.MAX_VALUE, (long) STREAM_WINDOW * Math.max(16, maxStreams));
    H2Pool pool = this;
    this.bootstrap =
        bootstrap(
            group,
            channelType,
            endpoint,
            backend,
            channels,
            p -> {
              Channel ch = p.channel();
              Http2Settings settings =
                  Http2Settings.defaultSettings()
                      .pushEnabled(false)
                      .initialWindowSize(STREAM_WINDOW);
              Link link = new Link(pool, ch, connectionWindow);
              if (tls != null) {
                // h2: TLS offering only h2 in ALPN; the preface waits for the handshake
                p.addLast(
                        new SslHandler(
                            tls.engine(endpoint.host(), endpoint.port(), List.of(ALPN_H2))))
                    .addLast(new AlpnCheck(link));
              }
              p.addLast(new IdleStateHandler(0, 0, keepAlive, TimeUnit.NANOSECONDS))
                  .addLast(Http2FrameCodecBuilder.forClient().initialSettings(settings).build())
                  .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                  .addLast(link);
            });
  }

  @Override
  public Offer offer(HttpRequest request, Callback callback) {
    if (closed) {
      return Offer.CLOSED;
    }
    if (!admit()) {
      return Offer.FULL;
    }
    if (!place(request, callback, false)) {
      done();
      return Offer.CLOSED;
    }
    return Offer.ENQUEUED;
  }

  /**
   * Gives the request a stream on a ready connection with room (the calling thread's loop first),
   * else queues it (a {@code requeued} one at the front) and opens connections as needed. A new
   * request (not {@code requeued}) is refused when the pool has closed: false.
   */
  private boolean place(HttpRequest request, Callback callback, boolean requeued) {
    Link l;
    int connects = 0;
    EventLoop own = EventLoops.current(loops);
    synchronized (this) {
      if (!requeued && closed) {
        return false;
      }
      l = withRoom(own);
      if (l != null) {
        l.active++;
      } else {
        Pending p = new Pending(request, callback);
        if (requeued) {
          pending.addFirst(p);
        } else {
          pending.addLast(p);
        }
        connects = connectsNeeded();
      }
    }
    if (l != null) {
      open(l, request, callback);
    }
    connect(connects);
    return true;
  }

  /** Under the lock: a ready connection with a free stream, on {@code own} if there is one. */
  private Link withRoom(EventLoop own) {
    Link any = null;
    for (Link l : links) {
      if (l.active < l.capacity) {
        if (own == null || l.channel.eventLoop() == own) {
          return l;
        }
        if (any == null) {
          any = l;
        }
      }
    }
    return any;
  }

  /** Under the lock: connections to open so that the pending requests have streams coming. */
  private int connectsNeeded() {
    int n = 0;
    while (pending.size() > (long) connecting * expectedStreams && open < maxConnections) {
      open++;
      connecting++;
      n++;
    }
    return n;
  }

  private void connect(int n) {
    connect(
        bootstrap,
        loops,
        n,
        f -> {
          if (f.isSuccess()) {
            Link l = f.channel().pipeline().get(Link.class);
            f.channel()
                .eventLoop()
                .schedule(l::handshakeDeadline, handshakeNanos, TimeUnit.NANOSECONDS);
          } else {
            lost(null, f.cause());
          }
        });
  }

  /** Opens a stream on {@code l} (which counted it already) for the request. */
  private void open(Link l, HttpRequest request, Callback callback) {
    l.streams
        .open()
        .addListener(
            f -> {
              if (f.isSuccess()) {
                Http2StreamChannel ch = (Http2StreamChannel) f.getNow();
                ch.closeFuture().addListener(x -> streamClosed(l));
                ch.pipeline().get(Connection.class).send(request, callback);
              } else {
                streamClosed(l);
                if (l.channel.isActive()) {
                  fail(callback, f.cause());
                } else {
                  requeue(request, callback);
                }
              }
            });
  }

  /** A stream of {@code l} closed: its slot serves the next pending request. */
  private void streamClosed(Link l) {
    Pending p = null;
    boolean close = false;
    synchronized (this) {
      l.active--;
      if (links.contains(l) && l.active < l.capacity) {
        p = pending.pollFirst();
        if (p != null) {
          l.active++;
        }
      }
      if (p == null && l.active == 0 && (l.goingAway || closed)) {
        close = true;
      }
    }
    if (p != null) {
      open(l, p.request(), p.callback());
    } else if (close) {
      l.channel.close();
    }
  }

  /** The first SETTINGS of {@code l} arrived, or a later one changed its stream limit. */
  private void settings(Link l, long peerMaxStreams) {
    List<Pending> batch = new ArrayList<>();
    int connects;
    synchronized (this) {
      l.capacity = (int) Math.min(maxStreams, peerMaxStreams);
      expectedStreams = Math.max(1, l.capacity);
      if (!l.ready) {
        l.ready = true;
        connecting--;
        if (!l.goingAway) {
          links.add(l);
        }
      }
      if (links.contains(l)) {
        Pending p;
        while (l.active < l.capacity && (p = pending.pollFirst()) != null) {
          l.active++;
          batch.add(p);
        }
      }
      connects = closed ? 0 : connectsNeeded();
    }
    for (Pending p : batch) {
      open(l, p.request(), p.callback());
    }
    connect(connects);
  }

  /** {@code l} takes no new streams (GOAWAY, idle): closed once its last stream ended. */
  private void retire(Link l) {
    boolean close;
    int connects;
    synchronized (this) {
      l.goingAway = true;
      links.remove(l);
      close = l.active == 0;
      connects = closed ? 0 : connectsNeeded();
    }
    if (close) {
      l.channel.close();
    }
    connect(connects);
  }

  /**
   * A connection failed to connect ({@code l} null) or closed. One that never became ready fails
   * the requests it was opened for (as many as a connection takes); the others wait for the next.
   */
  private void lost(Link l, Throwable cause) {
    List<Pending> failed = new ArrayList<>();
    int connects;
    synchronized (this) {
      open--;
      if (l == null || !l.ready) {
        connecting--;
        Pending p;
        while (failed.size() < expectedStreams && (p = pending.pollFirst()) != null) {
          failed.add(p);
        }
      } else {
        links.remove(l);
      }
      connects = closed ? 0 : connectsNeeded();
    }
    Throwable why =
        l == null || (cause != null && UpstreamFailure.classify(cause) == UpstreamFailure.TLS_ERROR)
            ? cause
            : notHttp2(cause);
    for (Pending p : failed) {
      fail(p.callback(), why);
    }
    connect(connects);
  }

  /** A connection closed before its first SETTINGS: the upstream does not speak h2c (h2). */
  private Throwable notHttp2(Throwable cause) {
    return new UpstreamException(
        UpstreamFailure.CONNECT_ERROR,
        "no HTTP/2 SETTINGS from the upstream ("
            + (tls
                ? "protocol: h2 needs HTTP/2 agreed by TLS ALPN"
                : "protocol: h2c needs HTTP/2 with prior knowledge")
            + ")"
            + (cause == null ? "" : ": " + cause.getMessage()),
        -1);
  }

  /**
   * Right after the SslHandler of an h2 connection: a failed handshake or a peer that did not
   * select h2 in ALPN closes the connection with that cause (a TLS_ERROR, or CONNECT_ERROR).
   */
  static final class AlpnCheck extends ChannelInboundHandlerAdapter {
    private final Link link;

    AlpnCheck(Link link) {
      this.link = link;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent hs) {
        if (!hs.isSuccess()) {
          link.failed(hs.cause());
          ctx.close();
        } else {
          String selected = ctx.pipeline().get(SslHandler.class).engine().getApplicationProtocol();
          if (!ALPN_H2.equals(selected)) {
            link.failed(
                new java.io.IOException(
                    "the upstream did not select h2 in TLS ALPN (selected: "
                        + (selected == null ? "none" : selected)
                        + ")"));
            ctx.close();
            return;
          }
        }
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
      link.failed(t);
      ctx.fireExceptionCaught(t);
    }
  }

  @Override
  void requeue(HttpRequest request, Callback callback) {
    place(request, callback, true);
  }

  /** The response of stream {@code c} is complete: the stream ends (it is never reused). */
  @Override
  void available(Connection c) {
    c.channel().close();
  }

  /** Counted by the stream's close future instead. */
  @Override
  void lost(Connection c) {
    // streamClosed runs from the stream channel's close future
  }

  @Override
  public synchronized int openConnections() {
    return open;
  }

  @Override
  public void complete() {
    List<Link> idle = new ArrayList<>();
    synchronized (this) {
      closed = true;
      for (Link l : links) {
        if (l.active == 0) {
          idle.add(l);
        }
      }
    }
    for (Link l : idle) {
      l.channel.close();
    }
  }

  /**
   * One HTTP/2 connection: the handler after the multiplexer that sees its SETTINGS and GOAWAY
   * frames and its end; its counters are guarded by the pool's lock.
   */
  static final class Link extends ChannelInboundHandlerAdapter {
    final H2Pool pool;
    final Channel channel;
    final Http2StreamChannelBootstrap streams;
    private final int connectionWindow;
    int active;
    int capacity;
    boolean ready;
    boolean goingAway;
    private Throwable cause;

    Link(H2Pool pool, Channel channel, int connectionWindow) {
      this.pool = pool;
      this.channel = channel;
      this.connectionWindow = connectionWindow;
      this.streams =
          new Http2StreamChannelBootstrap(channel)
              .handler(
                  new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                      ch.pipeline()
                          .addLast(
                              new IdleStateHandler(
                                  0, 0, pool.streamTickNanos, TimeUnit.NANOSECONDS))
                          .addLast(new Http2StreamFrameToHttpObjectCodec(false))
                          .addLast(new Connection(pool, Integer.MAX_VALUE, 1));
                    }
                  });
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      int more = connectionWindow - Http2CodecUtil.DEFAULT_WINDOW_SIZE;
      if (more > 0) {
        ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(more));
      }
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2SettingsFrame s) {
          Long peer = s.settings().maxConcurrentStreams();
          if (peer != null || !ready) {
            pool.settings(this, peer == null ? Integer.MAX_VALUE : peer);
          }
        } else if (msg instanceof Http2GoAwayFrame) {
          pool.retire(this);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        boolean unused;
        synchronized (pool) {
          unused = ready && active == 0;
        }
        if (unused) {
          pool.retire(this); // keepAlive without a stream
        }
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    /** Still no SETTINGS after connectionTimeout: give up on the connection. */
    void handshakeDeadline() {
      boolean late;
      synchronized (pool) {
        late = !ready;
      }
      if (late && channel.isActive()) {
        cause = new java.io.IOException("no SETTINGS within connectionTimeout");
        channel.close();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
      failed(t);
      ctx.close();
    }

    /** The first failure of the connection is the cause its requests see (on its loop). */
    void failed(Throwable t) {
      if (cause == null) {
        cause = t;
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      pool.lost(this, cause);
      ctx.fireChannelInactive();
    }
  }
}
