package dev.kumaforge.load.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.common.units.Rate;
import dev.kumaforge.load.scenario.Arrivals;
import dev.kumaforge.load.scenario.Phase;
import dev.kumaforge.load.scenario.RequestSpec;
import dev.kumaforge.load.scenario.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArrivalScheduleTest {
  static Workload workload(Arrivals arrivals, Duration warmup, Phase... phases) {
    return Workload.openLoop(
        warmup, arrivals, null, null, null, List.of(phases), RequestSpec.defaults());
  }

  static Phase phase(String name, double rate, Duration d) {
    return Phase.constant(name, Rate.perSecond(rate), d);
  }

  private static List<long[]> drain(ArrivalSchedule s) {
    List<long[]> out = new ArrayList<>();
    while (s.peek() >= 0) {
      out.add(new long[] {s.peek(), s.peekMeasured() ? 1 : 0});
      s.advance();
    }
    return out;
  }

  @Test
  void constantScheduleIsExactAndDoesNotDrift() {
    Workload w =
        workload(
            Arrivals.CONSTANT,
            Duration.ofSeconds(1),
            phase("a", 300, Duration.ofSeconds(10)),
            phase("b", 7, Duration.ofSeconds(3)));
    List<long[]> sends = drain(new ArrivalSchedule(w, 1));
    // warm-up: a ramp 30 -> 300/s over 0.5 s (82.5 sends), then 300/s for 0.5 s (150)
    int warm = (int) sends.stream().filter(x -> x[1] == 0).count();
    assertThat(warm).isBetween(232, 233);
    assertThat(sends).hasSize(warm + 3000 + 21);
    // send i of phase a is at warm-up + i / rate, computed from the sequence, not accumulated
    long[] lastOfA = sends.get(warm + 2999);
    assertThat(lastOfA[0]).isEqualTo(1_000_000_000L + (long) (2999 * 1e9 / 300));
    assertThat(sends.get(warm + 3000)[0]).isEqualTo(11_000_000_000L);
    assertThat(ArrivalSchedule.countMeasured(w, 1)).isEqualTo(3021);
    for (int i = 1; i < sends.size(); i++) {
      assertThat(sends.get(i)[0]).isGreaterThanOrEqualTo(sends.get(i - 1)[0]);
    }
  }

  @Test
  void poissonIsSeededAndHasTheMeanRate() {
    Workload w =
        workload(Arrivals.POISSON, Duration.ZERO, phase("p", 1000, Duration.ofSeconds(20)));
    List<long[]> a = drain(new ArrivalSchedule(w, 7));
    List<long[]> b = drain(new ArrivalSchedule(w, 7));
    List<long[]> c = drain(new ArrivalSchedule(w, 8));
    assertThat(a).hasSize(b.size());
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i)[0]).isEqualTo(b.get(i)[0]);
    }
    assertThat(c.get(10)[0]).isNotEqualTo(a.get(10)[0]);
    assertThat(a.size()).isBetween(19_000, 21_000);
    assertThat(a.get(a.size() - 1)[0]).isLessThan(20_000_000_000L);
  }

  @Test
  void gammaGapsHaveTheRequestedBurstiness() {
    for (double cv : new double[] {0.5, 2.0}) {
      Workload w =
          new Workload(
              null,
              Duration.ZERO,
              Arrivals.GAMMA,
              cv,
              null,
              null,
              null,
              null,
              null,
              List.of(phase("g", 1000, Duration.ofSeconds(40))),
              RequestSpec.defaults(),
              null);
      List<long[]> sends = drain(new ArrivalSchedule(w, 3));
      assertThat(sends.size()).isBetween(36_000, 44_000);
      double sum = 0;
      double sumSq = 0;
      int n = sends.size() - 1;
      for (int i = 1; i < sends.size(); i++) {
        double gap = sends.get(i)[0] - sends.get(i - 1)[0];
        sum += gap;
        sumSq += gap * gap;
      }
      double mean = sum / n;
      double sd = Math.sqrt(sumSq / n - mean * mean);
      assertThat(mean).isBetween(0.9e6, 1.1e6);
      assertThat(sd / mean).isBetween(cv * 0.85, cv * 1.15);
    }
  }

  private static long countBetween(List<long[]> sends, long from, long to) {
    return sends.stream().filter(x -> x[0] >= from && x[0] < to).count();
  }

  @Test
  void rampChangesTheRateLinearly() {
    Workload w =
        workload(
            Arrivals.CONSTANT,
            Duration.ofSeconds(1),
            Phase.ramp("up", Rate.perSecond(100), Rate.perSecond(300), Duration.ofSeconds(2)),
            Phase.ramp("down", Rate.perSecond(300), Rate.perSecond(0), Duration.ofSeconds(2)));
    List<long[]> sends = drain(new ArrivalSchedule(w, 1));
    long s = 1_000_000_000L;
    // warm-up: from a tenth of the first phase's starting rate up to it in the first half (27.5
    // sends), then at it (50)
    assertThat(countBetween(sends, 0, s / 2)).isBetween(27L, 28L);
    assertThat(countBetween(sends, s / 2, s)).isBetween(49L, 51L);
    // N(t) = 100 t + 50 t^2: 150 in the first second of the ramp, 250 in the second
    assertThat(countBetween(sends, s, 2 * s)).isBetween(149L, 151L);
    assertThat(countBetween(sends, 2 * s, 3 * s)).isBetween(249L, 251L);
    // ramp down 300 -> 0: 225 then 75
    assertThat(countBetween(sends, 3 * s, 4 * s)).isBetween(224L, 226L);
    assertThat(countBetween(sends, 4 * s, 5 * s)).isBetween(74L, 76L);
    for (int i = 1; i < sends.size(); i++) {
      assertThat(sends.get(i)[0]).isGreaterThanOrEqualTo(sends.get(i - 1)[0]);
    }
  }

  @Test
  void stepHoldsEachRateForAnEqualShare() {
    Workload w =
        workload(
            Arrivals.CONSTANT,
            Duration.ZERO,
            Phase.step(
                "steps", Rate.perSecond(100), Rate.perSecond(300), 3, Duration.ofSeconds(3)));
    List<long[]> sends = drain(new ArrivalSchedule(w, 1));
    long s = 1_000_000_000L;
    assertThat(countBetween(sends, 0, s)).isEqualTo(100);
    assertThat(countBetween(sends, s, 2 * s)).isEqualTo(200);
    assertThat(countBetween(sends, 2 * s, 3 * s)).isEqualTo(300);
    assertThat(sends.get(100)[0]).isEqualTo(s);
  }

  @Test
  void validityRules() {
    assertThat(Validity.invalidReason(true, 100, 100, 0, 8, 500, 10_000)).isEmpty();
    assertThat(Validity.invalidReason(false, 100, 100, 0, 8, 500, 10_000))
        .get()
        .asString()
        .contains("did not finish");
    assertThat(Validity.invalidReason(true, 100, 90, 0, 8, 500, 10_000))
        .get()
        .asString()
        .contains("90 of the 100");
    assertThat(Validity.invalidReason(true, 100, 100, 3, 8, 500, 10_000))
        .get()
        .asString()
        .contains("maxConnections");
    assertThat(Validity.invalidReason(true, 100, 100, 0, 8, 20_000, 10_000))
        .get()
        .asString()
        .contains("lag p99 was 20.0 ms");
  }
}
