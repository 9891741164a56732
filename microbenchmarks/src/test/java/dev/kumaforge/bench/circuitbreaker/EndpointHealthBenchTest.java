package dev.kumaforge.bench.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.gateway.circuitbreaker.EndpointHealth;
import org.junit.jupiter.api.Test;

class EndpointHealthBenchTest {
  @Test
  void bodiesMoveTheStateAsNamed() {
    EndpointHealthBench bench = new EndpointHealthBench();
    bench.setUp();
    assertThat(bench.available()).isTrue();
    assertThat(bench.onSuccess().state(bench.now)).isEqualTo(EndpointHealth.State.CLOSED);
    for (int i = 0; i < 10; i++) {
      assertThat(bench.failureThenSuccess()).as("below the threshold, reset each time").isFalse();
    }
    assertThat(bench.closed.ejections()).isZero();
    for (int i = 1; i <= 3; i++) {
      assertThat(bench.tripThenClose()).as("every failure ejects").isTrue();
      assertThat(bench.flapping.ejections()).isEqualTo(i);
      assertThat(bench.flapping.state(bench.now)).isEqualTo(EndpointHealth.State.CLOSED);
    }
    assertThat(bench.availableContended()).isTrue();
    assertThat(bench.successContended().available(bench.now)).isTrue();
  }
}
