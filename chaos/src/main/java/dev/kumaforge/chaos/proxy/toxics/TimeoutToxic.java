package dev.kumaforge.chaos.proxy.toxics;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.TimeUnit;

/**
 * {@code timeout}: drops all data and closes the connection {@code timeout} ms after the toxic took
 * hold of the link; 0 holds the connection forever. As in Toxiproxy, removing the toxic ends the
 * stream (the dropped bytes cannot be replayed).
 */
public final class TimeoutToxic extends Toxic {
  private final long timeoutMs;
  private ToxicContext.Cancellable timer;
  private boolean ended;

  /** A timeout; {@code timeoutMs} in milliseconds, 0 = never close. */
  public TimeoutToxic(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  @Override
  public void start() {
    if (timeoutMs > 0) {
      timer = context().schedule(context()::close, TimeUnit.MILLISECONDS.toNanos(timeoutMs));
    }
  }

  @Override
  protected void data(ByteBuf data, long readNanos) {
    context().drop(data);
  }

  @Override
  public void onEnd() {
    end();
  }

  @Override
  public void interrupt() {
    end();
  }

  @Override
  public void dispose() {
    cancel();
  }

  private void end() {
    cancel();
    if (!ended) {
      ended = true;
      next().onEnd();
    }
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }
}
