package dev.kumaforge.chaos.proxy.toxics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.common.time.ManualClock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Toxic semantics on a manual clock: ordering, interruption, no lost bytes, end of stream. */
class ToxicUnitTest {
  /** A link stand-in: a manual clock and a task list run by {@link #advance}. */
  static final class FakeLink implements ToxicContext, Receiver {
    final ManualClock clock = new ManualClock();
    final List<long[]> dueIds = new ArrayList<>();
    final List<Runnable> tasks = new ArrayList<>();
    final StringBuilder received = new StringBuilder();
    final List<Long> arrivals = new ArrayList<>();
    int dropped;
    boolean ended;
    boolean closed;
    boolean reset;

    @Override
    public long nanoTime() {
      return clock.nanoTime();
    }

    @Override
    public RandomGenerator random() {
      return new SplittableRandom(7);
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
      long[] entry = {clock.nanoTime() + delayNanos, tasks.size()};
      dueIds.add(entry);
      tasks.add(task);
      return () -> entry[0] = Long.MAX_VALUE;
    }

    void advance(long ms) {
      long target = clock.nanoTime() + ms * 1_000_000;
      while (true) {
        long[] next =
            dueIds.stream()
                .filter(e -> e[0] <= target)
                .min(Comparator.comparingLong(e -> e[0]))
                .orElse(null);
        if (next == null) {
          break;
        }
        if (next[0] > clock.nanoTime()) {
          clock.advance(Duration.ofNanos(next[0] - clock.nanoTime()));
        }
        next[0] = Long.MAX_VALUE;
        tasks.get((int) next[1]).run();
      }
      clock.advance(Duration.ofNanos(target - clock.nanoTime()));
    }

    @Override
    public void drop(ByteBuf data) {
      dropped += data.readableBytes();
      data.release();
    }

    @Override
    public void close() {
      closed = true;
    }

    @Override
    public void reset() {
      reset = true;
    }

    @Override
    public void onData(ByteBuf data, long readNanos) {
      received.append(data.toString(StandardCharsets.US_ASCII));
      arrivals.add(clock.nanoTime() / 1_000_000);
      data.release();
    }

    @Override
    public void onEnd() {
      ended = true;
    }

    <T extends Toxic> T wire(T toxic) {
      toxic.bind(this, this, null);
      toxic.start();
      return toxic;
    }

    void send(Toxic t, String s) {
      t.onData(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII), clock.nanoTime());
    }
  }

  @Test
  void latencyKeepsOrderAndInterruptReleasesEverything() {
    FakeLink link = new FakeLink();
    LatencyToxic t = link.wire(new LatencyToxic(100, 0));
    link.send(t, "a");
    link.advance(30);
    link.send(t, "b");
    t.onEnd();
    link.advance(80);
    assertThat(link.received.toString()).isEqualTo("a");
    assertThat(link.arrivals).containsExactly(100L);
    link.advance(60);
    assertThat(link.received.toString()).isEqualTo("ab");
    assertThat(link.arrivals).containsExactly(100L, 130L);
    assertThat(link.ended).isTrue();

    FakeLink held = new FakeLink();
    LatencyToxic h = held.wire(new LatencyToxic(10_000, 0));
    held.send(h, "x");
    held.send(h, "y");
    h.onEnd();
    h.interrupt();
    assertThat(held.received.toString()).isEqualTo("xy");
    assertThat(held.ended).isTrue();
  }

  @Test
  void bandwidthPacesBytesAndNeverLosesThem() {
    FakeLink link = new FakeLink();
    BandwidthToxic t = link.wire(new BandwidthToxic(1)); // 1 KB/s = 100 bytes per 100 ms
    link.send(t, "z".repeat(250));
    link.advance(99);
    assertThat(link.received).isEmpty();
    link.advance(1);
    assertThat(link.received.length()).isEqualTo(100);
    link.advance(100);
    assertThat(link.received.length()).isEqualTo(200);
    t.interrupt();
    assertThat(link.received.length()).isEqualTo(250);
  }

  @Test
  void slicerSlicesWithinBoundsAndKeepsBytes() {
    FakeLink link = new FakeLink();
    SlicerToxic t = link.wire(new SlicerToxic(10, 3, 1000));
    String data = "0123456789".repeat(10);
    link.send(t, data);
    link.advance(1000);
    assertThat(link.received.toString()).isEqualTo(data);
    assertThat(link.arrivals.size()).isGreaterThanOrEqualTo(7);
  }

  @Test
  void slowCloseDelaysOnlyTheEnd() {
    FakeLink link = new FakeLink();
    SlowCloseToxic t = link.wire(new SlowCloseToxic(500));
    link.send(t, "data");
    t.onEnd();
    assertThat(link.received.toString()).isEqualTo("data");
    link.advance(499);
    assertThat(link.ended).isFalse();
    link.advance(1);
    assertThat(link.ended).isTrue();
  }

  @Test
  void timeoutDropsThenCloses() {
    FakeLink link = new FakeLink();
    TimeoutToxic t = link.wire(new TimeoutToxic(1000));
    link.send(t, "gone");
    assertThat(link.dropped).isEqualTo(4);
    link.advance(999);
    assertThat(link.closed).isFalse();
    link.advance(1);
    assertThat(link.closed).isTrue();
  }

  @Test
  void resetPeerResetsAfterFirstData() {
    FakeLink link = new FakeLink();
    ResetPeerToxic t = link.wire(new ResetPeerToxic(200));
    link.advance(1000);
    assertThat(link.reset).isFalse();
    link.send(t, "x");
    link.advance(199);
    assertThat(link.reset).isFalse();
    link.advance(1);
    assertThat(link.reset).isTrue();
    assertThat(link.received).isEmpty();
  }

  @Test
  void limitDataTruncatesEndsAndKeepsCountAcrossUpdates() {
    FakeLink link = new FakeLink();
    LimitDataToxic t = link.wire(new LimitDataToxic(5));
    link.send(t, "abc");
    LimitDataToxic updated = new LimitDataToxic(5);
    updated.bind(link, link, null);
    updated.inheritState(t);
    updated.start();
    link.send(updated, "defgh");
    assertThat(link.received.toString()).isEqualTo("abcde");
    assertThat(link.dropped).isEqualTo(3);
    assertThat(link.ended).isTrue();
    assertThat(link.closed).isTrue();
  }
}
