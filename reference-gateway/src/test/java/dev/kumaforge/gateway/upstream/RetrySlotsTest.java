package dev.kumaforge.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RetrySlotsTest {
  @Test
  void slotsUpToTheLimitThenRefusalsUntilOneIsGivenBack() {
    RetrySlots slots = new RetrySlots();
    assertThat(slots.tryTake(2)).isTrue();
    assertThat(slots.tryTake(2)).isTrue();
    assertThat(slots.tryTake(2)).isFalse();
    assertThat(slots.inFlight()).isEqualTo(2);
    slots.release();
    assertThat(slots.tryTake(2.5)).isTrue();
    assertThat(slots.tryTake(2.5)).isTrue(); // a fractional budget rounds up: 2 < 2.5
    assertThat(slots.tryTake(2.5)).isFalse();
    assertThat(slots.tryTake(0)).isFalse();
  }
}
