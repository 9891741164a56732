package dev.kumaforge.gateway.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.common.time.ManualClock;
import dev.kumaforge.gateway.config.Backend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutlierSweepTest {
  private final ManualClock clock = new ManualClock();

  private static Backend.Outlier policy(
      Backend.FailurePercentage fp, Backend.SuccessRate sr, int maxEjectionPercent) {
    return new Backend.Outlier(
        false,
        Duration.ofSeconds(30),
        maxEjectionPercent,
        new Backend.Detectors(
            new Backend.Consecutive(1000),
            new Backend.Consecutive(1000),
            new Backend.Consecutive(1000),
            fp,
            sr),
        null,
        Duration.ofSeconds(10));
  }

  private List<EndpointHealth> endpoints(Backend.Outlier p, int[] requests, int[] failures) {
    List<EndpointHealth> list = new ArrayList<>();
    for (int i = 0; i < requests.length; i++) {
      EndpointHealth h = new EndpointHealth();
      for (int f = 0; f < failures[i]; f++) {
        h.onFailure(true, false, clock.nanoTime(), p, false);
      }
      for (int s = 0; s < requests[i] - failures[i]; s++) {
        h.onSuccess();
      }
      list.add(h);
    }
    return list;
  }

  @Test
  void failurePercentageEjectsEndpointsOverTheThreshold() {
    Backend.Outlier p = policy(new Backend.FailurePercentage(50, 10, 3), null, 100);
    List<EndpointHealth> eps = endpoints(p, new int[] {20, 20, 20, 5}, new int[] {0, 12, 2, 5});
    assertThat(OutlierSweep.sweep(eps, p, clock.nanoTime())).containsExactly(1);
    assertThat(eps.get(1).isEjected(clock.nanoTime())).isTrue();
    // the window was reset: a second sweep without traffic ejects nothing
    assertThat(OutlierSweep.sweep(eps, p, clock.nanoTime())).isEmpty();
  }

  @Test
  void tooFewHostsWithVolumeMeansNoEjection() {
    Backend.Outlier p = policy(new Backend.FailurePercentage(50, 10, 3), null, 100);
    List<EndpointHealth> eps = endpoints(p, new int[] {20, 20, 5}, new int[] {20, 0, 5});
    assertThat(OutlierSweep.sweep(eps, p, clock.nanoTime())).isEmpty();
  }

  @Test
  void successRateEjectsTheStatisticalOutlierWithinMaxEjectionPercent() {
    Backend.Outlier p = policy(null, new Backend.SuccessRate(1.0, 10, 4), 100);
    List<EndpointHealth> eps =
        endpoints(p, new int[] {100, 100, 100, 100, 100}, new int[] {1, 0, 2, 1, 60});
    assertThat(OutlierSweep.sweep(eps, p, clock.nanoTime())).containsExactly(4);

    Backend.Outlier capped = policy(new Backend.FailurePercentage(50, 10, 1), null, 25);
    List<EndpointHealth> two = endpoints(capped, new int[] {20, 20}, new int[] {20, 20});
    assertThat(OutlierSweep.sweep(two, capped, clock.nanoTime())).isEmpty();
    List<EndpointHealth> four =
        endpoints(capped, new int[] {20, 20, 20, 20}, new int[] {20, 20, 0, 0});
    assertThat(OutlierSweep.sweep(four, capped, clock.nanoTime())).containsExactly(0);
  }
}
