package dev.kumaforge.gateway.upstream.netty;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResponsesTest {
  @Test
  void standardAndNonStandardStatusesAreKept() {
    assertThat(Responses.status(200).intValue()).isEqualTo(200);
    assertThat(Responses.status(503).intValue()).isEqualTo(503);
    // Anthropic's overloaded_error: not a standard code, Pekko's get() refuses it
    assertThat(Responses.status(529).intValue()).isEqualTo(529);
    assertThat(Responses.status(529).isSuccess()).isFalse();
    assertThat(Responses.status(599).intValue()).isEqualTo(599);
    assertThat(Responses.status(299).isSuccess()).isTrue();
  }
}
