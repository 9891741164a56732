package dev.kumaforge.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.Timeout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TryTimerTest {
  @Test
  void aTimeoutFiresAfterItsDelay() throws Exception {
    CountDownLatch fired = new CountDownLatch(1);
    long start = System.nanoTime();
    TryTimer.schedule(t -> fired.countDown(), TimeUnit.MILLISECONDS.toNanos(50));
    assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
  }

  /**
   * What the wheel is for: a try timer cancelled when the response came leaves the wheel at the
   * next tick instead of staying until its (15 s) deadline, as Pekko's scheduler keeps it, where
   * every cancelled timer of the last seconds survives the young collections.
   */
  @Test
  void cancelledTimeoutsLeaveTheWheelLongBeforeTheirDeadline() throws Exception {
    long before = TryTimer.pending();
    AtomicInteger ran = new AtomicInteger();
    List<Timeout> timeouts = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      timeouts.add(TryTimer.schedule(t -> ran.incrementAndGet(), TimeUnit.SECONDS.toNanos(15)));
    }
    assertThat(TryTimer.pending()).isGreaterThanOrEqualTo(before + 10_000);
    timeouts.forEach(Timeout::cancel);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (TryTimer.pending() > before && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(TryTimer.pending()).isLessThanOrEqualTo(before);
    assertThat(ran.get()).isZero();
  }
}
