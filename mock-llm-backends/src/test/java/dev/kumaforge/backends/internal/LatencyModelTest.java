package dev.kumaforge.backends.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

import dev.kumaforge.backends.config.Distribution;
import dev.kumaforge.backends.config.LatencyConfig;
import dev.kumaforge.backends.config.ModelConfig;
import dev.kumaforge.backends.config.OutputConfig;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LatencyModelTest {
  static ModelConfig model(LatencyConfig latency, OutputConfig output) {
    return new ModelConfig("m", null, null, null, latency, output, null, null);
  }

  static final LatencyConfig REALISTIC =
      new LatencyConfig(
          Duration.ofMillis(100),
          Duration.ofNanos(10_000),
          0.1,
          Duration.ofMillis(20),
          Duration.ofMillis(5),
          Distribution.LOGNORMAL);

  static final OutputConfig NORMAL_OUTPUT =
      new OutputConfig(50, 10, Distribution.NORMAL, null, null);

  @Test
  void sameSeedSamePlansDifferentSeedDifferentPlans() {
    ModelRuntime a = new ModelRuntime(model(REALISTIC, NORMAL_OUTPUT), 1);
    ModelRuntime b = new ModelRuntime(model(REALISTIC, NORMAL_OUTPUT), 1);
    ModelRuntime c = new ModelRuntime(model(REALISTIC, NORMAL_OUTPUT), 2);
    for (int i = 0; i < 20; i++) {
      Plan pa = a.plan(100, null);
      Plan pb = b.plan(100, null);
      Plan pc = c.plan(100, null);
      assertThat(pa.due()).containsExactly(pb.due());
      assertThat(pa.pieces()).containsExactly(pb.pieces());
      assertThat(Arrays.equals(pa.due(), pc.due())).isFalse();
    }
    a.reset();
    Plan again = a.plan(100, null);
    assertThat(again.due())
        .containsExactly(
            new ModelRuntime(model(REALISTIC, NORMAL_OUTPUT), 1).plan(100, null).due());
  }

  @Test
  void ttftPercentilesMatchTheModel() {
    ModelRuntime m = new ModelRuntime(model(REALISTIC, NORMAL_OUTPUT), 42);
    int n = 20_000;
    double[] ttft = new double[n];
    for (int i = 0; i < n; i++) {
      ttft[i] = m.plan(1000, 1).ttftNanos() / 1e6;
    }
    Arrays.sort(ttft);
    // mean = 100ms + 1000 x 10us = 110ms; relative spread 0.1 -> p90 = 110 x (1 + 1.2816 x 0.1)
    assertThat(ttft[n / 2]).isCloseTo(110.0, withPercentage(5));
    assertThat(ttft[(int) (n * 0.9)]).isCloseTo(110.0 * (1 + 1.2816 * 0.1), withPercentage(5));
    assertThat(ttft[(int) (n * 0.99)]).isCloseTo(110.0 * (1 + 2.3263 * 0.1), withPercentage(5));
  }

  @Test
  void interTokenLatencyIsLognormalWithTheConfiguredMoments() {
    ModelRuntime m =
        new ModelRuntime(model(REALISTIC, new OutputConfig(200, 0, null, null, null)), 42);
    double sum = 0;
    double sumSq = 0;
    int count = 0;
    double[] all = new double[100 * 199];
    for (int r = 0; r < 100; r++) {
      Plan p = m.plan(10, null);
      for (int i = 1; i < p.due().length; i++) {
        double itl = (p.due()[i] - p.due()[i - 1]) / 1e6;
        all[count++] = itl;
        sum += itl;
        sumSq += itl * itl;
      }
    }
    double mean = sum / count;
    double sd = Math.sqrt(sumSq / count - mean * mean);
    assertThat(mean).isCloseTo(20.0, withPercentage(5));
    assertThat(sd).isCloseTo(5.0, withPercentage(5));
    Arrays.sort(all);
    double sigma2 = Math.log(1 + 25.0 / 400.0);
    double median = Math.exp(Math.log(20.0) - sigma2 / 2);
    double p99 = Math.exp(Math.log(20.0) - sigma2 / 2 + 2.3263 * Math.sqrt(sigma2));
    assertThat(all[count / 2]).isCloseTo(median, withPercentage(5));
    assertThat(all[(int) (count * 0.99)]).isCloseTo(p99, withPercentage(5));
  }

  @Test
  void outputLengthFollowsItsDistributionAndMaxTokens() {
    ModelRuntime m = new ModelRuntime(model(LatencyConfig.zero(), NORMAL_OUTPUT), 42);
    double sum = 0;
    for (int i = 0; i < 5000; i++) {
      sum += m.plan(10, null).completionTokens();
    }
    assertThat(sum / 5000).isCloseTo(50.0, withPercentage(5));
    Plan capped = m.plan(10, 5);
    assertThat(capped.completionTokens()).isEqualTo(5);
    assertThat(capped.truncatedByMaxTokens()).isTrue();

    ModelRuntime exact =
        new ModelRuntime(
            model(
                LatencyConfig.zero(),
                new OutputConfig(7, null, Distribution.MAX_TOKENS, null, null)),
            42);
    assertThat(exact.plan(10, 33).completionTokens()).isEqualTo(33);
    assertThat(exact.plan(10, 33).truncatedByMaxTokens()).isFalse();
    assertThat(exact.plan(10, null).completionTokens()).isEqualTo(7);
  }

  @Test
  void constantLatencyIsExact() {
    LatencyConfig fixed =
        new LatencyConfig(Duration.ofMillis(5), null, null, Duration.ofMillis(2), null, null);
    Plan p =
        new ModelRuntime(model(fixed, new OutputConfig(3, null, null, "x y z", null)), 1)
            .plan(50, null);
    assertThat(p.due()).containsExactly(5_000_000L, 7_000_000L, 9_000_000L);
    assertThat(p.text()).isEqualTo("x y z");
  }
}
