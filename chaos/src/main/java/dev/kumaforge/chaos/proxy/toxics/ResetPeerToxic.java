package dev.kumaforge.chaos.proxy.toxics;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.TimeUnit;

/**
 * {@code reset_peer}: on the first data (or end of stream) the toxic sees, it drops the data and
 * resets the connection (TCP RST) after {@code timeout} ms; 0 resets at once.
 */
public final class ResetPeerToxic extends Toxic {
  private final long timeoutMs;
  private ToxicContext.Cancellable timer;
  private boolean triggered;

  /** A reset; {@code timeoutMs} in milliseconds. */
  public ResetPeerToxic(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  @Override
  protected void data(ByteBuf data, long readNanos) {
    context().drop(data);
    trigger();
  }

  @Override
  public void onEnd() {
    trigger();
  }

  private void trigger() {
    if (triggered) {
      return;
    }
    triggered = true;
    if (timeoutMs <= 0) {
      context().reset();
    } else {
      timer = context().schedule(context()::reset, TimeUnit.MILLISECONDS.toNanos(timeoutMs));
    }
  }

  @Override
  public void interrupt() {
    dispose();
  }

  @Override
  public void dispose() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }
}
