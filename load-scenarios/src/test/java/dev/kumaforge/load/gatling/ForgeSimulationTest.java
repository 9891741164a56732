package dev.kumaforge.load.gatling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.common.units.Rate;
import dev.kumaforge.load.scenario.Arrivals;
import dev.kumaforge.load.scenario.Fraction;
import dev.kumaforge.load.scenario.Phase;
import dev.kumaforge.load.scenario.RequestSpec;
import dev.kumaforge.load.scenario.Slos;
import dev.kumaforge.load.scenario.Workload;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ForgeSimulationTest {
  @Test
  void everyPhaseBecomesOpenInjectionStepsAfterTheWarmup() {
    Workload w =
        Workload.openLoop(
            Duration.ofSeconds(5),
            Arrivals.POISSON,
            null,
            null,
            null,
            List.of(
                Phase.constant("c", Rate.perSecond(100), Duration.ofSeconds(10)),
                Phase.ramp("r", Rate.perSecond(0), Rate.perSecond(200), Duration.ofSeconds(10)),
                Phase.step(
                    "s", Rate.perSecond(100), Rate.perSecond(300), 3, Duration.ofSeconds(9))),
            RequestSpec.defaults());
    // warm-up (a ramp, then constant) + constant + ramp + three constant steps
    assertThat(ForgeSimulation.injection(w, 0.5)).hasSize(7);
  }

  @Test
  void slosBecomeAssertionsOnTheMeasuredGroup() {
    Map<String, Duration> latency = new LinkedHashMap<>();
    latency.put("p99", Duration.ofMillis(250));
    latency.put("max", Duration.ofSeconds(1));
    assertThat(ForgeSimulation.assertions(new Slos(latency, null, null, Fraction.parse("0.1%"))))
        .hasSize(3);
    assertThat(ForgeSimulation.assertions(Slos.none())).isEmpty();
  }
}
