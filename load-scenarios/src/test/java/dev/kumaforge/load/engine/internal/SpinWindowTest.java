package dev.kumaforge.load.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The spin window follows a high quantile of the timer's lateness, within its bounds. */
class SpinWindowTest {
  /** Lateness like this VM's timers: ~100 us at p50, ~160 at p90, ~200 at p99. */
  private static long vmLateness(SplittableRandom random) {
    double u = random.nextDouble();
    return (long)
        (u < 0.5
            ? 60_000 + 80_000 * u
            : u < 0.9 ? 100_000 + 150_000 * (u - 0.5) : 160_000 + 400_000 * (u - 0.9));
  }

  @Test
  void coversAHighQuantileOfTheLateness() {
    SpinWindow w = new SpinWindow();
    SplittableRandom random = new SplittableRandom(42);
    long[] seen = new long[20_000];
    for (int i = 0; i < seen.length; i++) {
      seen[i] = vmLateness(random);
      w.observe(seen[i]);
    }
    Arrays.sort(seen);
    long p90 = seen[(int) (seen.length * 0.90)];
    long p999 = seen[(int) (seen.length * 0.999)];
    assertThat(w.nanos()).isGreaterThan(p90).isLessThan(p999 + SpinWindow.MARGIN_NANOS);
  }

  @Test
  void shrinksToItsMinimumOnAPreciseTimerAndGrowsBackWhenTimersGetLate() {
    SpinWindow w = new SpinWindow();
    assertThat(w.nanos()).isEqualTo(SpinWindow.INITIAL_NANOS);
    for (int i = 0; i < 20_000; i++) {
      w.observe(5_000);
    }
    assertThat(w.nanos()).isEqualTo(SpinWindow.MIN_NANOS);
    for (int i = 0; i < 200; i++) {
      w.observe(150_000);
    }
    assertThat(w.nanos()).isBetween(150_000L, 150_000L + SpinWindow.MARGIN_NANOS);
  }

  @Test
  void keepsTheSmallestAndLargestWindowItHad() {
    SpinWindow w = new SpinWindow();
    assertThat(w.lowest()).isEqualTo(SpinWindow.INITIAL_NANOS);
    assertThat(w.highest()).isEqualTo(SpinWindow.INITIAL_NANOS);
    for (int i = 0; i < 200; i++) {
      w.observe(300_000);
    }
    long high = w.nanos();
    for (int i = 0; i < 20_000; i++) {
      w.observe(5_000);
    }
    assertThat(w.highest()).isEqualTo(high).isGreaterThan(300_000L);
    assertThat(w.lowest()).isEqualTo(SpinWindow.MIN_NANOS).isEqualTo(w.nanos());
    w.observe(150_000);
    assertThat(w.lowest()).isEqualTo(SpinWindow.MIN_NANOS);
    assertThat(w.highest()).isEqualTo(high);
  }

  @Test
  void oneVeryLateWakeUpDoesNotPinTheWindowAtItsCap() {
    SpinWindow w = new SpinWindow();
    for (int i = 0; i < 5_000; i++) {
      w.observe(60_000);
    }
    long before = w.nanos();
    w.observe(50_000_000); // a 50 ms pause
    assertThat(w.nanos()).isLessThan(before + SpinWindow.MAX_NANOS / 16 + 1_000);
    assertThat(w.nanos()).isLessThan(SpinWindow.MAX_NANOS);
    w.observe(-10_000); // early: counts as on time
    assertThat(w.nanos()).isGreaterThanOrEqualTo(SpinWindow.MIN_NANOS);
  }
}
