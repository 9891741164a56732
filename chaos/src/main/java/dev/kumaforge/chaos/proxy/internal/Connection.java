package dev.kumaforge.chaos.proxy.internal;

import dev.kumaforge.chaos.proxy.StreamDirection;
import dev.kumaforge.chaos.proxy.ToxicSpec;
import dev.kumaforge.chaos.proxy.toxics.ToxicType;
import dev.kumaforge.common.time.NanoClock;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * A client connection and its upstream connection, with one {@link Link} per direction. Both
 * channels live on the client's event loop, so no state here needs locking.
 */
final class Connection {
  private final FaultProxy proxy;
  private final Channel client;
  private Channel upstream;
  private Link upLink;
  private Link downLink;
  private int endedDirections;
  private boolean clientDead;
  private boolean upstreamDead = true;
  private boolean disposed;

  Connection(FaultProxy proxy, Channel client) {
    this.proxy = proxy;
    this.client = client;
  }

  NanoClock clock() {
    return proxy.clock();
  }

  ProxyMetrics metrics() {
    return proxy.metrics();
  }

  EventLoop eventLoop() {
    return client.eventLoop();
  }

  /** Connects upstream; the client is not read before that succeeds. */
  void start(InetSocketAddress upstreamAddress) {
    metrics().connectionsTotal.increment();
    metrics().connectionsActive.incrementAndGet();
    client.pipeline().addLast(new Relay(true));
    Bootstrap b =
        new Bootstrap()
            .group(client.eventLoop())
            .channel(Transport.socketChannel())
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .handler(new Relay(false));
    ChannelFuture cf = b.connect(upstreamAddress);
    upstream = cf.channel();
    cf.addListener(
        (ChannelFutureListener)
            f -> {
              if (!f.isSuccess()) {
                if (client.isActive()) {
                  metrics().upstreamFailures.increment();
                }
                client.close();
                return;
              }
              upstreamDead = false;
              if (!client.isActive()) {
                upstream.close();
                return;
              }
              List<Map.Entry<ToxicSpec, ToxicType>> chain = proxy.register(this);
              if (chain == null) {
                abort();
                return;
              }
              upLink =
                  new Link(this, StreamDirection.UPSTREAM, client, upstream, proxy.newRandom());
              downLink =
                  new Link(this, StreamDirection.DOWNSTREAM, upstream, client, proxy.newRandom());
              for (Map.Entry<ToxicSpec, ToxicType> e : chain) {
                link(e.getKey().stream()).add(e.getKey(), e.getValue());
              }
              client.config().setAutoRead(true);
              upstream.config().setAutoRead(true);
              client.read();
              upstream.read();
            });
  }

  /** The link of {@code direction}; null before the upstream connected. */
  Link link(StreamDirection direction) {
    return direction == StreamDirection.UPSTREAM ? upLink : downLink;
  }

  /** A direction delivered its end of stream (or cannot deliver any more). */
  void directionEnded() {
    endedDirections++;
    if (endedDirections >= 2) {
      closeGracefully();
    }
  }

  /** Closes both sockets after what was written is flushed. */
  void closeGracefully() {
    for (Channel ch : new Channel[] {client, upstream}) {
      if (ch != null && ch.isActive()) {
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      } else if (ch != null) {
        ch.close();
      }
    }
  }

  /** Closes both sockets at once (the proxy went down or a write failed). */
  void abort() {
    client.close();
    if (upstream != null) {
      upstream.close();
    }
  }

  /** Resets both sockets: SO_LINGER 0, so the peers see a TCP RST. */
  void reset() {
    for (Channel ch : new Channel[] {client, upstream}) {
      if (ch != null && ch.isOpen()) {
        try {
          ch.config().setOption(ChannelOption.SO_LINGER, 0);
        } catch (RuntimeException e) {
          // The socket may already be closing; a plain close is the best left to do.
        }
        ch.close();
      }
    }
  }

  private void died(boolean isClient) {
    if (isClient) {
      clientDead = true;
    } else {
      upstreamDead = true;
    }
    Link reading = isClient ? upLink : downLink;
    Link writing = isClient ? downLink : upLink;
    if (reading != null) {
      reading.onInputEnd();
    }
    if (writing != null) {
      writing.onTargetDead();
    }
    if (upLink == null && isClient && upstream != null) {
      upstream.close();
    }
    if (clientDead && upstreamDead && !disposed) {
      disposed = true;
      if (upLink != null) {
        upLink.dispose();
        downLink.dispose();
      }
      proxy.unregister(this);
      metrics().connectionsActive.decrementAndGet();
    }
  }

  /** Feeds reads and socket events of one side into the links. */
  private final class Relay extends ChannelInboundHandlerAdapter {
    private final boolean isClient;

    Relay(boolean isClient) {
      this.isClient = isClient;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Link link = isClient ? upLink : downLink;
      if (link == null || !(msg instanceof ByteBuf buf)) {
        io.netty.util.ReferenceCountUtil.release(msg);
        return;
      }
      link.onRead(buf);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        Link link = isClient ? upLink : downLink;
        if (link != null) {
          link.onInputEnd();
        } else {
          ctx.close();
        }
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      died(isClient);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
