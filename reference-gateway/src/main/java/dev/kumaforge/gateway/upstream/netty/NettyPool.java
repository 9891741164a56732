package dev.kumaforge.gateway.upstream.netty;

import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.upstream.Endpoint;
import dev.kumaforge.gateway.upstream.UpstreamTlsContext;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.stream.Materializer;

/**
 * One endpoint's keep-alive connection pool on the Netty transport: at most {@code maxConnections}
 * connections, at most {@code maxOpenRequests} requests waiting or in flight (beyond: {@link
 * Offer#FULL}), idle connections closed after {@code keepAlive}; a connection serves one request at
 * a time and is reused only after its response completed. Idle connections are kept per event loop:
 * an offer made on one of the group's loops (the Pekko dispatcher running on the same loops, see
 * {@link EventLoops}) takes a connection of its own loop first, so the write runs inline, and a
 * connection opened from a loop is registered on that loop.
 *
 * <pre>
 * offer -> idle connection (own loop first, then the others)? -> write on its event loop
 *       -> else pending queue (+ connect while pending > connecting and open < maxConnections)
 * response complete -> next pending request on the same connection, or back to its loop's idle
 * </pre>
 */
final class NettyPool extends Pool {
  private final Bootstrap bootstrap;
  private final int maxConnections;
  private final EventLoop[] loops;
  private final List<ArrayDeque<Connection>> idle;
  private final ChannelGroup channels;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private int open;
  private int connecting;
  private volatile boolean closed;

  NettyPool(
      EventLoopGroup group,
      Class<? extends SocketChannel> channelType,
      Endpoint endpoint,
      Backend backend,
      Materializer materializer,
      LoggingAdapter log) {
    this(group, channelType, endpoint, backend, null, materializer, log, null);
  }

  /**
   * As above, over TLS when {@code tls} is not null (the backend's client TLS: certificate, host
   * name and SPIFFE ID checks, client certificate; no ALPN, the peer speaks HTTP/1.1); every
   * channel opened is added to {@code channels} (closed with the transport).
   */
  NettyPool(
      EventLoopGroup group,
      Class<? extends SocketChannel> channelType,
      Endpoint endpoint,
      Backend backend,
      UpstreamTlsContext tls,
      Materializer materializer,
      LoggingAdapter log,
      ChannelGroup channels) {
    super(endpoint, backend, materializer, log);
    this.loops = EventLoops.loopsOf(group);
    List<ArrayDeque<Connection>> lists = new ArrayList<>();
    for (int i = 0; i < Math.max(1, loops.length); i++) {
      lists.add(new ArrayDeque<>());
    }
    this.idle = List.copyOf(lists);
    this.channels = channels;
    this.maxConnections = backend.connectionPool().maxConnections();
    long keepAlive = backend.connectionPool().keepAlive().toNanos();
    long streamIdle = backend.timeouts().http().streamIdleTimeout().toNanos();
    long tick = Math.min(keepAlive, streamIdle);
    int keepAliveTicks = (int) Math.max(1, Math.min(Integer.MAX_VALUE, keepAlive / tick));
    int streamIdleTicks = (int) Math.max(1, Math.min(Integer.MAX_VALUE, streamIdle / tick));
    NettyPool pool = this;
    this.bootstrap =
        bootstrap(
                group,
                channelType,
                endpoint,
                backend,
                channels,
                p -> {
                  if (tls != null) {
                    SslHandler ssl =
                        new SslHandler(tls.engine(endpoint.host(), endpoint.port(), List.of()));
                    ssl.setHandshakeTimeoutMillis(
                        Math.max(1, backend.timeouts().connectionTimeout().toMillis()));
                    p.addLast(ssl);
                  }
                  p.addLast(new IdleStateHandler(0, 0, tick, TimeUnit.NANOSECONDS))
                      .addLast(new HttpClientCodec())
                      .addLast(new Connection(pool, keepAliveTicks, streamIdleTicks));
                })
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.RECVBUF_ALLOCATOR, EventLoops.READS);
  }

  @Override
  public Offer offer(HttpRequest request, Callback callback) {
    if (closed) {
      return Offer.CLOSED;
    }
    if (!admit()) {
      return Offer.FULL;
    }
    Connection c;
    int connects = 0;
    int own = Math.max(0, EventLoops.indexOf(loops, EventLoops.current(loops)));
    synchronized (this) {
      if (closed) {
        done();
        return Offer.CLOSED;
      }
      c = pollIdle(own);
      if (c == null) {
        pending.addLast(new Pending(request, callback));
        connects = connectsNeeded();
      }
    }
    if (c != null) {
      c.send(request, callback);
    }
    connect(connects);
    return Offer.ENQUEUED;
  }

  /** Under the lock: an idle connection, of loop {@code own} if there is one; or null. */
  private Connection pollIdle(int own) {
    int n = idle.size();
    for (int i = 0; i < n; i++) {
      Connection c = idle.get((own + i) % n).pollFirst();
      if (c != null) {
        return c;
      }
    }
    return null;
  }

  /** The idle list of {@code c}'s loop. */
  private ArrayDeque<Connection> idleOf(Connection c) {
    return idle.get(Math.max(0, EventLoops.indexOf(loops, c.channel().eventLoop())));
  }

  /** Under the lock: connections to open so every pending request has one coming. */
  private int connectsNeeded() {
    int n = 0;
    while (pending.size() > connecting && open < maxConnections) {
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
            Connection c = f.channel().pipeline().get(Connection.class);
            synchronized (this) {
              connecting--;
            }
            available(c);
          } else {
            connectFailed(f.cause());
          }
        });
  }

  private void connectFailed(Throwable cause) {
    Pending p;
    int connects;
    synchronized (this) {
      open--;
      connecting--;
      p = pending.pollFirst();
      connects = connectsNeeded();
    }
    if (p != null) {
      fail(p.callback(), cause);
    }
    connect(connects);
  }

  /**
   * {@code c} is connected or finished its response: it serves the next pending request or idles.
   */
  @Override
  void available(Connection c) {
    Pending p;
    boolean close = false;
    synchronized (this) {
      p = pending.pollFirst();
      if (p == null) {
        if (closed) {
          close = true;
        } else {
          idleOf(c).addFirst(c);
        }
      }
    }
    if (p != null) {
      c.send(p.request(), p.callback());
    } else if (close) {
      c.channel().close();
    } else {
      c.idle();
    }
  }

  @Override
  void requeue(HttpRequest request, Callback callback) {
    int connects;
    synchronized (this) {
      pending.addFirst(new Pending(request, callback));
      connects = connectsNeeded();
    }
    connect(connects);
  }

  @Override
  void lost(Connection c) {
    int connects;
    synchronized (this) {
      open--;
      idleOf(c).remove(c);
      connects = closed ? 0 : connectsNeeded();
    }
    connect(connects);
  }

  /** Idle connections of {@code loop} (tests). */
  synchronized int idleOn(EventLoop loop) {
    int i = EventLoops.indexOf(loops, loop);
    return i < 0 ? 0 : idle.get(i).size();
  }

  @Override
  public synchronized int openConnections() {
    return open;
  }

  @Override
  public void complete() {
    ArrayDeque<Connection> toClose;
    synchronized (this) {
      closed = true;
      toClose = new ArrayDeque<>();
      for (ArrayDeque<Connection> d : idle) {
        toClose.addAll(d);
        d.clear();
      }
    }
    for (Connection c : toClose) {
      Channel ch = c.channel();
      ch.close();
    }
  }
}
