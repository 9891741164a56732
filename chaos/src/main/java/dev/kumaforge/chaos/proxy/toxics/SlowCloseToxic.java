package dev.kumaforge.chaos.proxy.toxics;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.TimeUnit;

/** {@code slow_close}: data passes at once; the end of stream is delayed by {@code delay} ms. */
public final class SlowCloseToxic extends Toxic {
  private final long delayMs;
  private ToxicContext.Cancellable pendingEnd;

  /** A slow close; {@code delayMs} in milliseconds. */
  public SlowCloseToxic(long delayMs) {
    this.delayMs = delayMs;
  }

  @Override
  protected void data(ByteBuf data, long readNanos) {
    next().onData(data, readNanos);
  }

  @Override
  public void onEnd() {
    if (delayMs <= 0) {
      next().onEnd();
      return;
    }
    pendingEnd =
        context()
            .schedule(
                () -> {
                  pendingEnd = null;
                  next().onEnd();
                },
                TimeUnit.MILLISECONDS.toNanos(delayMs));
  }

  @Override
  public void interrupt() {
    if (pendingEnd != null) {
      pendingEnd.cancel();
      pendingEnd = null;
      next().onEnd();
    }
  }

  @Override
  public void dispose() {
    if (pendingEnd != null) {
      pendingEnd.cancel();
      pendingEnd = null;
    }
  }
}
