package dev.kumaforge.gateway.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.common.time.ManualClock;
import dev.kumaforge.gateway.config.Backend;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EndpointHealthTest {
  private final ManualClock clock = new ManualClock();
  private final Backend.Outlier policy =
      new Backend.Outlier(
          false,
          Duration.ofSeconds(10),
          100,
          new Backend.Detectors(
              new Backend.Consecutive(5),
              new Backend.Consecutive(3),
              new Backend.Consecutive(4),
              null,
              null),
          Duration.ofSeconds(25),
          null);

  private boolean fail(EndpointHealth h, boolean gateway) {
    return h.onFailure(gateway, false, clock.nanoTime(), policy, true);
  }

  @Test
  void consecutiveGatewayErrorsEjectThenHalfOpenThenClose() {
    EndpointHealth h = new EndpointHealth();
    assertThat(fail(h, true)).isFalse();
    assertThat(fail(h, true)).isFalse();
    assertThat(fail(h, true)).isTrue();
    assertThat(h.state(clock.nanoTime())).isEqualTo(EndpointHealth.State.EJECTED);
    assertThat(h.available(clock.nanoTime())).isFalse();
    clock.advance(Duration.ofSeconds(10));
    assertThat(h.state(clock.nanoTime())).isEqualTo(EndpointHealth.State.HALF_OPEN);
    assertThat(h.available(clock.nanoTime())).isTrue();
    h.onSuccess();
    assertThat(h.state(clock.nanoTime())).isEqualTo(EndpointHealth.State.CLOSED);
  }

  @Test
  void halfOpenFailureEjectsAgainForLongerUpToTheMax() {
    EndpointHealth h = new EndpointHealth();
    for (int i = 0; i < 5; i++) {
      fail(h, false);
    }
    assertThat(h.ejections()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(10));
    assertThat(fail(h, false)).isTrue();
    assertThat(h.remainingNanos(clock.nanoTime())).isEqualTo(Duration.ofSeconds(20).toNanos());
    clock.advance(Duration.ofSeconds(20));
    assertThat(fail(h, true)).isTrue();
    assertThat(h.remainingNanos(clock.nanoTime())).isEqualTo(Duration.ofSeconds(25).toNanos());
  }

  @Test
  void consecutiveLocalOriginFailuresEject() {
    EndpointHealth h = new EndpointHealth();
    for (int i = 0; i < 3; i++) {
      assertThat(h.onFailure(false, true, clock.nanoTime(), policy, true)).isFalse();
    }
    assertThat(h.onFailure(false, true, clock.nanoTime(), policy, true)).isTrue();
  }

  @Test
  void successResetsTheCountAndMaxEjectionPercentIsHonoured() {
    EndpointHealth h = new EndpointHealth();
    fail(h, true);
    fail(h, true);
    h.onSuccess();
    fail(h, true);
    fail(h, true);
    assertThat(h.state(clock.nanoTime())).isEqualTo(EndpointHealth.State.CLOSED);
    assertThat(h.onFailure(true, false, clock.nanoTime(), policy, false)).isFalse();
    assertThat(h.available(clock.nanoTime())).isTrue();
  }
}
