package dev.kumaforge.chaos.proxy.toxics;

import io.netty.buffer.ByteBuf;
import java.util.random.RandomGenerator;

/**
 * What a running toxic may do on its link. Every call happens on the connection's event loop;
 * callbacks scheduled here never run after the toxic was interrupted or disposed.
 */
public interface ToxicContext {
  /** The link clock in nanoseconds. */
  long nanoTime();

  /** The random source of this link. */
  RandomGenerator random();

  /** Runs {@code task} after {@code delayNanos} on the connection's event loop. */
  Cancellable schedule(Runnable task, long delayNanos);

  /** Discards bytes on purpose (the toxic drops them); releases {@code data}. */
  void drop(ByteBuf data);

  /** Closes both sides of the connection gracefully (FIN) once the data already emitted is sent. */
  void close();

  /** Resets both sides of the connection (TCP RST, unsent data discarded). */
  void reset();

  /** A scheduled task that can be cancelled. */
  interface Cancellable {
    /** Cancels the task if it did not run yet. */
    void cancel();
  }
}
