package dev.kumaforge.gateway.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@link HeadGate}'s work done in the Netty pipeline of a connection (above the SslHandler on a TLS
 * listener, so it sees the decrypted head), before anything of Pekko exists for it: counts the
 * connection against {@code maxConnections} (closing it at once when over), reads until the first
 * request head has ended, closes it at the header deadline (a header timeout) or when the listener
 * terminates, and only then hands the connection over ({@link HandOver}: moved to a serving loop
 * when the listener has a head loop, its Pekko stack materialized, the bytes read so far its first
 * read). A connection that trickles its head ("slowloris") thus costs the socket, a few reads and a
 * timer on the event loop.
 *
 * <pre>
 *   channel: [SslHandler] -> FirstHead -> (once the head ended:) ChannelFlow.Bridge -> Pekko stack (HeaderScan, ...)
 * </pre>
 *
 * <p>"Ended" is decided as {@link HeaderScan} decides when to release a held section, or earlier:
 * at the blank line after a non-empty line, at a bare LF (HeaderScan refuses it), or once {@code
 * maxHeld} bytes are held (HeaderScan then passes them on as they come). After the hand-over the
 * handler only passes events on and gives the connection's count back when it closes.
 */
final class FirstHead extends ChannelInboundHandlerAdapter {
  private final ConnectionGuard.Limits limits;
  private final Listening.Gates gates;
  private final int maxHeld;
  private final HandOver handOver;
  private final Runnable close;
  private final long accepted = System.nanoTime();
  private ChannelHandlerContext ctx;
  private CompositeByteBuf held;
  private ScheduledFuture<?> deadline;
  private boolean counted;
  private boolean passed;
  // scanner
  private boolean prevCr;
  private boolean lineStarted; // bytes in the current line
  private boolean anyLine; // a non-empty line ended

  /** What happens to a connection once its first head has ended. */
  interface HandOver {
    /**
     * Called on the channel's loop once: adds the handler that takes the bytes after {@code ctx},
     * passes {@code head} on to it as one read (or releases it) and has the connection's stack
     * materialized.
     */
    void handOver(ChannelHandlerContext ctx, ByteBuf head);
  }

  /**
   * @param handOver takes the connection once its first head has ended
   */
  FirstHead(ConnectionGuard.Limits limits, Listening.Gates gates, int maxHeld, HandOver handOver) {
    this.limits = limits;
    this.gates = gates;
    this.maxHeld = maxHeld;
    this.handOver = handOver;
    this.close = () -> ctx.channel().close();
  }

  /** {@link System#nanoTime()} of the accept: the first head's deadline runs from it. */
  long accepted() {
    return accepted;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    counted = true;
    if (limits.open.incrementAndGet() > limits.maxConnections) {
      limits.refused.increment();
      ctx.close();
      return;
    }
    if (!gates.add(close)) {
      ctx.close(); // the listener is terminating
      return;
    }
    long left = limits.headerTimeout.toNanos() - (System.nanoTime() - accepted);
    deadline = ctx.executor().schedule(this::onDeadline, Math.max(0, left), TimeUnit.NANOSECONDS);
    held = ctx.alloc().compositeBuffer(64);
    ctx.read();
    ctx.fireChannelActive();
  }

  private void onDeadline() {
    if (!passed && ctx.channel().isOpen()) {
      limits.headerTimeouts.increment();
      ctx.close();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (passed) {
      ctx.fireChannelRead(msg);
      return;
    }
    ByteBuf buf = (ByteBuf) msg;
    boolean ended = scan(buf);
    held.addComponent(true, buf);
    if (ended || held.readableBytes() >= maxHeld) {
      pass();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (passed) {
      ctx.fireChannelReadComplete();
    } else if (ctx.channel().isOpen()) {
      ctx.read();
    }
  }

  private boolean scan(ByteBuf buf) {
    for (int i = buf.readerIndex(), end = buf.writerIndex(); i < end; i++) {
      byte b = buf.getByte(i);
      if (b == '\n') {
        if (!prevCr) {
          return true; // a bare LF: HeaderScan refuses it
        }
        prevCr = false;
        if (!lineStarted) {
          if (anyLine) {
            return true; // the blank line
          }
        } else {
          anyLine = true;
        }
        lineStarted = false;
      } else if (b == '\r') {
        if (prevCr) {
          lineStarted = true; // a lone CR: Pekko refuses it
        }
        prevCr = true;
      } else {
        prevCr = false;
        lineStarted = true;
      }
    }
    return false;
  }

  private void pass() {
    passed = true;
    deadline.cancel(false);
    gates.remove(close);
    ByteBuf head = held;
    held = null;
    handOver.handOver(ctx, head);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    end();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (passed) {
      ctx.fireExceptionCaught(cause);
    } else {
      ctx.close();
    }
  }

  /**
   * Gives the connection's count back now (idempotent): for a hand-over that failed while the
   * channel was not registered with a loop, which then never reports its close.
   */
  void end() {
    if (counted) {
      counted = false;
      limits.open.decrementAndGet();
    }
    if (!passed) {
      if (deadline != null) {
        deadline.cancel(false);
      }
      gates.remove(close);
      if (held != null) {
        held.release();
        held = null;
      }
    }
  }
}
