package dev.kumaforge.chaos.proxy.toxics;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * Base of the toxics that hold data in a FIFO and release it over time: ordering, interruption and
 * disposal are handled here; subclasses implement {@link #pump()}.
 */
public abstract class HoldingToxic extends Toxic {
  /** An item of the FIFO: data, or the end of the stream when {@code data} is null. */
  protected static final class Held {
    final ByteBuf data;
    final long readNanos;
    long dueNanos = Long.MIN_VALUE;

    Held(ByteBuf data, long readNanos) {
      this.data = data;
      this.readNanos = readNanos;
    }
  }

  /** The held items, oldest first. */
  protected final ArrayDeque<Held> queue = new ArrayDeque<>();

  private ToxicContext.Cancellable timer;

  @Override
  protected final void data(ByteBuf data, long readNanos) {
    queue.add(new Held(data, readNanos));
    if (timer == null) {
      pump();
    }
  }

  @Override
  public final void onEnd() {
    queue.add(new Held(null, context().nanoTime()));
    if (timer == null) {
      pump();
    }
  }

  /** Releases what is due; calls {@link #wakeAfter} when the head must wait. */
  protected abstract void pump();

  /** Schedules {@link #pump()} after {@code delayNanos}. */
  protected final void wakeAfter(long delayNanos) {
    timer =
        context()
            .schedule(
                () -> {
                  timer = null;
                  pump();
                },
                delayNanos);
  }

  /** Passes the head item on (data or end of stream) and removes it. */
  protected final void emitHead() {
    Held h = queue.poll();
    if (h == null) {
      return;
    }
    if (h.data == null) {
      next().onEnd();
    } else {
      next().onData(h.data, h.readNanos);
    }
  }

  @Override
  public void interrupt() {
    cancelTimer();
    while (!queue.isEmpty()) {
      emitHead();
    }
  }

  @Override
  public void dispose() {
    cancelTimer();
    for (Held h : queue) {
      if (h.data != null) {
        h.data.release();
      }
    }
    queue.clear();
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }
}
