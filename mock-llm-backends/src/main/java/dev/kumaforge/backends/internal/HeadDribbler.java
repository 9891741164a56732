package dev.kumaforge.backends.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The {@code slowHeaders} fault: the next response's head (status line and headers, up to the blank
 * line) leaves in small pieces spread evenly over a duration, like a provider whose front end
 * trickles bytes; the body follows at once. It sits between the socket and the HTTP codec for one
 * response and then removes itself, so connections without the fault pay nothing.
 *
 * <pre>
 * socket <- [HeadDribbler: head bytes 1 tick at a time, rest queued] <- HttpServerCodec <- handler
 * </pre>
 *
 * <p>On an h2c stream the head is one HEADERS frame: the dribbler sits before the stream's
 * HTTP/2-to-HTTP-object codec and holds the stream's frames for the whole duration instead.
 */
final class HeadDribbler extends ChannelOutboundHandlerAdapter {
  /** Pipeline name of the HTTP codec the dribbler is placed before. */
  static final String CODEC = "codec";

  /** Pipeline name of an h2 stream's HTTP/2-to-HTTP-object codec. */
  static final String H2_CODEC = "h2codec";

  /** Time between two pieces of the head. */
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final long durationNanos;
  private final boolean frames;
  private final ArrayDeque<Object[]> queued = new ArrayDeque<>();
  private boolean dribbling;
  private boolean finished;

  HeadDribbler(long durationNanos) {
    this(durationNanos, false);
  }

  private HeadDribbler(long durationNanos, boolean frames) {
    this.durationNanos = durationNanos;
    this.frames = frames;
  }

  /** Makes the next response on {@code ctx}'s channel trickle its head over {@code nanos}. */
  static void arm(ChannelHandlerContext ctx, long nanos) {
    if (ctx.pipeline().get(HeadDribbler.class) != null) {
      return;
    }
    if (ctx.pipeline().get(CODEC) != null) {
      ctx.pipeline().addBefore(CODEC, "slow-headers", new HeadDribbler(nanos));
    } else if (ctx.pipeline().get(H2_CODEC) != null) {
      ctx.pipeline().addBefore(H2_CODEC, "slow-headers", new HeadDribbler(nanos, true));
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (finished) {
      ctx.write(msg, promise);
      return;
    }
    if (frames) {
      queued.add(new Object[] {msg, promise});
      if (!dribbling) {
        dribbling = true;
        ctx.executor().schedule(() -> release(ctx), durationNanos, TimeUnit.NANOSECONDS);
      }
      return;
    }
    if (dribbling || !(msg instanceof ByteBuf buf) || !buf.isReadable()) {
      queued.add(new Object[] {msg, promise});
      return;
    }
    dribbling = true;
    int headLength = headLength(buf);
    ByteBuf head = buf.readRetainedSlice(headLength);
    if (buf.isReadable()) {
      queued.addFirst(new Object[] {buf, promise});
    } else {
      buf.release();
      queued.addFirst(new Object[] {ctx.alloc().buffer(0), promise});
    }
    long ticks = Math.max(1, durationNanos / TICK_NANOS);
    int perTick = (int) Math.max(1, (headLength + ticks - 1) / ticks);
    long interval = durationNanos / Math.max(1, (headLength + perTick - 1) / perTick);
    writePiece(ctx, head, perTick, interval);
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (!dribbling) {
      ctx.flush();
    }
  }

  /** Writes the next piece of {@code head} now and schedules the one after. */
  private void writePiece(ChannelHandlerContext ctx, ByteBuf head, int perTick, long interval) {
    if (!ctx.channel().isActive()) {
      head.release();
      drop();
      return;
    }
    int n = Math.min(perTick, head.readableBytes());
    ctx.writeAndFlush(head.readRetainedSlice(n));
    if (head.isReadable()) {
      ctx.executor()
          .schedule(() -> writePiece(ctx, head, perTick, interval), interval, TimeUnit.NANOSECONDS);
      return;
    }
    head.release();
    release(ctx);
  }

  /** Writes everything queued and leaves the pipeline. */
  private void release(ChannelHandlerContext ctx) {
    if (!ctx.channel().isActive()) {
      drop();
      return;
    }
    finished = true;
    dribbling = false;
    while (!queued.isEmpty()) {
      Object[] w = queued.poll();
      ctx.write(w[0], (ChannelPromise) w[1]);
    }
    ctx.flush();
    ctx.pipeline().remove(this);
  }

  /** Bytes up to and including the first blank line, or the whole buffer when there is none. */
  static int headLength(ByteBuf buf) {
    int from = buf.readerIndex();
    int to = buf.writerIndex();
    for (int i = from; i + 3 < to; i++) {
      if (buf.getByte(i) == '\r'
          && buf.getByte(i + 1) == '\n'
          && buf.getByte(i + 2) == '\r'
          && buf.getByte(i + 3) == '\n') {
        return i + 4 - from;
      }
    }
    return to - from;
  }

  private void drop() {
    while (!queued.isEmpty()) {
      Object[] w = queued.poll();
      ReferenceCountUtil.release(w[0]);
      ((ChannelPromise) w[1]).tryFailure(new java.nio.channels.ClosedChannelException());
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    drop();
  }
}
