package dev.kumaforge.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceContextTest {
  private static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void propagatesTheTraceWithANewSpan() {
    String child = TraceContext.child(PARENT);
    assertThat(TraceContext.isValid(child)).isTrue();
    assertThat(child).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").endsWith("-01");
    assertThat(child.substring(36, 52)).isNotEqualTo("00f067aa0ba902b7");
  }

  @Test
  void createsANewTraceForMissingOrInvalidInput() {
    for (String bad :
        new String[] {
          null, "", "garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"
        }) {
      String t = TraceContext.child(bad);
      assertThat(TraceContext.isValid(t)).as(String.valueOf(bad)).isTrue();
      assertThat(t).endsWith("-01");
    }
    assertThat(TraceContext.newRequestId()).hasSize(32).matches("[0-9a-f]+");
  }
}
