package dev.kumaforge.load.engine.internal;

import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;
import java.util.function.BooleanSupplier;

/**
 * An event loop select strategy that polls ({@code epoll_wait} with timeout 0, then the due tasks
 * and timers) instead of sleeping while a condition holds: no wake-up latency and no timer slack,
 * at the price of one busy core meanwhile.
 */
public final class BusyPollStrategy implements SelectStrategy {
  private volatile BooleanSupplier poll;

  /** A strategy polling while {@code poll} is true (asked on the event loop thread). */
  public BusyPollStrategy(BooleanSupplier poll) {
    this.poll = poll;
  }

  /** Replaces the condition. */
  public void pollWhile(BooleanSupplier condition) {
    this.poll = condition;
  }

  /** A factory handing out this strategy. */
  public SelectStrategyFactory factory() {
    return () -> this;
  }

  @Override
  public int calculateStrategy(IntSupplier selectSupplier, boolean hasTasks) throws Exception {
    if (hasTasks || poll.getAsBoolean()) {
      return selectSupplier.get();
    }
    return SelectStrategy.SELECT;
  }
}
