package dev.kumaforge.harness.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.common.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The search algorithm over a deterministic latency curve (a queue that saturates at 730/s). */
class CapacitySearchTest {
  /** p99 grows like an M/M/1 queue with service rate 800/s; errors appear past 760/s. */
  private static StepOutcome queue(double rate) {
    double mu = 800;
    long p99 = rate >= mu ? 10_000_000 : (long) (1e6 * Math.log(100) / (mu - rate));
    double errors = rate > 760 ? 0.05 : 0;
    long attempted = (long) (rate * 10);
    return new StepOutcome(rate, attempted, attempted, errors, Map.of("p99", p99), true);
  }

  @Test
  void findsTheKneeWithinResolution() {
    CapacityCriteria slo = CapacityCriteria.parse("p99<100ms,errors<0.1%");
    // p99 <= 100 ms  <=>  800 - r >= 46.05  <=>  r <= 753.9
    CapacitySearch.Result r = new CapacitySearch(slo, 100, 2, 0.02, 10_000, 20).run(q -> queue(q));
    assertThat(r.maxSustainedRps()).isBetween(735.0, 753.9);
    assertThat(r.firstFailedRps()).isGreaterThan(753.9);
    assertThat((r.firstFailedRps() - r.maxSustainedRps()) / r.maxSustainedRps()).isLessThan(0.02);
    assertThat(r.steps().get(0).outcome().rateRps()).isEqualTo(100);
    assertThat(r.steps().get(3).outcome().rateRps()).isEqualTo(800); // 100, 200, 400, 800 (miss)
    assertThat(r.steps().get(3).misses()).anyMatch(m -> m.startsWith("p99"));
    assertThat(r.replicasFor(3000)).isEqualTo((int) Math.ceil(3000 / r.maxSustainedRps()));
  }

  @Test
  void invalidGeneratorOrShortfallNeverCountsAsSustained() {
    CapacityCriteria slo = CapacityCriteria.parse("p99<1s");
    StepOutcome lagging = new StepOutcome(100, 1000, 1000, 0, Map.of("p99", 1000L), false);
    StepOutcome shortfall = new StepOutcome(100, 1000, 900, 0, Map.of("p99", 1000L), true);
    assertThat(slo.misses(lagging)).containsExactly("generator could not keep its schedule");
    assertThat(slo.misses(shortfall)).containsExactly("achieved 90.0% of attempted");
  }

  @Test
  void aStepWhereTheGeneratorLaggedIsMeasuredAgain() {
    CapacityCriteria slo = CapacityCriteria.parse("p99<100ms");
    int[] calls = {0};
    CapacitySearch.Result r =
        new CapacitySearch(slo, 100, 2, 0.05, 200, 10)
            .run(
                q -> {
                  calls[0]++;
                  StepOutcome o = queue(q);
                  // the first measurement at 200/s suffers a generator pause
                  boolean paused = q == 200 && calls[0] == 2;
                  return new StepOutcome(
                      q, o.attempted(), o.completed(), 0, o.latencyMicros(), !paused);
                });
    assertThat(r.steps()).hasSize(3);
    assertThat(r.steps().get(1).sustained()).isFalse();
    assertThat(r.steps().get(2).sustained()).isTrue();
    assertThat(r.maxSustainedRps()).isEqualTo(200);
  }

  @Test
  void startRateThatFailsSearchesBelowIt() {
    CapacityCriteria slo = CapacityCriteria.parse("p99<100ms");
    CapacitySearch.Result r = new CapacitySearch(slo, 3000, 2, 0.05, 10_000, 20).run(q -> queue(q));
    assertThat(r.maxSustainedRps()).isBetween(700.0, 753.9);
  }

  @Test
  void stopsAtTheRateCapWhenNothingFails() {
    CapacityCriteria slo = CapacityCriteria.parse("p99<10s");
    CapacitySearch.Result r = new CapacitySearch(slo, 100, 2, 0.05, 700, 20).run(q -> queue(q));
    assertThat(r.maxSustainedRps()).isEqualTo(700);
    assertThat(r.firstFailedRps()).isNaN();
  }

  @Test
  void badSloTextNamesTheTerm() {
    assertThatThrownBy(() -> CapacityCriteria.parse("p99<fast,errors<0.1%"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("p99")
        .hasMessageContaining("'fast'");
    assertThatThrownBy(() -> CapacityCriteria.parse("latency is low"))
        .hasMessageContaining("expected: p99<250ms");
  }
}
