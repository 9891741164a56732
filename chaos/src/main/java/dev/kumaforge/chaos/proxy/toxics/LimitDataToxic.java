package dev.kumaforge.chaos.proxy.toxics;

import io.netty.buffer.ByteBuf;

/**
 * {@code limit_data}: lets {@code bytes} bytes through on the link, drops the rest, ends the stream
 * and closes the connection once the allowed bytes are sent. The count survives attribute updates.
 */
public final class LimitDataToxic extends Toxic {
  private final long limit;
  private long transmitted;
  private boolean closed;

  /** A limit of {@code bytes} bytes. */
  public LimitDataToxic(long bytes) {
    this.limit = bytes;
  }

  @Override
  public void start() {
    if (transmitted >= limit) {
      cut();
    }
  }

  @Override
  protected void data(ByteBuf data, long readNanos) {
    if (closed) {
      context().drop(data);
      return;
    }
    long remaining = Math.max(0, limit - transmitted);
    if (data.readableBytes() <= remaining) {
      transmitted += data.readableBytes();
      next().onData(data, readNanos);
    } else {
      if (remaining > 0) {
        ByteBuf allowed = data.readRetainedSlice((int) remaining);
        transmitted += remaining;
        next().onData(allowed, readNanos);
      }
      context().drop(data);
    }
    if (transmitted >= limit) {
      cut();
    }
  }

  @Override
  public void onEnd() {
    if (!closed) {
      closed = true;
      next().onEnd();
    }
  }

  private void cut() {
    if (!closed) {
      closed = true;
      next().onEnd();
      context().close();
    }
  }

  @Override
  public void inheritState(Toxic previous) {
    if (previous instanceof LimitDataToxic old) {
      transmitted = old.transmitted;
    }
  }
}
