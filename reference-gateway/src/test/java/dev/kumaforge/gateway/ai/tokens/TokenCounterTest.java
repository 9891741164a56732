package dev.kumaforge.gateway.ai.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenCounterTest {
  /** Warming loads an encoding once per JVM; counting afterwards gives the same counts. */
  @Test
  void warmLoadsAnEncodingOncePerJvm() {
    TokenCounter cold = new TokenCounter(0);
    int before = cold.text("r50k_base", "Write to ops@example.com about the p99 of our gateway.");
    TokenCounter tc = new TokenCounter(0);
    tc.warm("r50k_base");
    assertThat(tc.warm("r50k_base")).isFalse();
    assertThat(new TokenCounter(0).warm("r50k_base")).isFalse();
    assertThat(tc.text("r50k_base", "Write to ops@example.com about the p99 of our gateway."))
        .isEqualTo(before)
        .isPositive();
  }

  @Test
  void warmingAnUnknownEncodingNamesIt() {
    assertThatThrownBy(() -> new TokenCounter(0).warm("no_such_base"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no_such_base");
  }
}
