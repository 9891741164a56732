package dev.kumaforge.backends.internal;

import dev.kumaforge.backends.config.ConcurrencyConfig;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.function.IntConsumer;

/** The generation slots of one model and their bounded waiting queue; never blocks. */
final class Slots {
  private final int slots;
  private final int queueLimit;
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private int active;

  Slots(ConcurrencyConfig config) {
    this.slots = config.slots();
    this.queueLimit = config.queue();
  }

  /**
   * Grants a slot now or later: {@code granted} runs on {@code executor} with the number of active
   * sequences (itself included). Returns false (and runs nothing) when the queue is full.
   */
  boolean acquire(Executor executor, IntConsumer granted) {
    int activeNow;
    synchronized (this) {
      if (slots > 0 && active >= slots) {
        if (queue.size() >= queueLimit) {
          return false;
        }
        queue.add(new Waiter(executor, granted));
        return true;
      }
      activeNow = ++active;
    }
    granted.accept(activeNow);
    return true;
  }

  /** Frees a slot, handing it to the oldest waiter if any. */
  void release() {
    Waiter next;
    int activeNow;
    synchronized (this) {
      next = queue.poll();
      if (next == null) {
        active = Math.max(0, active - 1);
        return;
      }
      activeNow = active;
    }
    next.executor.execute(() -> next.granted.accept(activeNow));
  }

  /** Removes a waiter that gave up (its connection closed); true when it was still waiting. */
  synchronized boolean cancel(IntConsumer granted) {
    return queue.removeIf(w -> w.granted == granted);
  }

  synchronized int active() {
    return active;
  }

  synchronized int waiting() {
    return queue.size();
  }

  private record Waiter(Executor executor, IntConsumer granted) {}
}
