package dev.kumaforge.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void escapesQuotesBackslashesAndControls() {
    StringBuilder sb = new StringBuilder();
    Json.quote(sb, "a\"b\\c\nd\u0001e\u2028");
    assertThat(sb.toString()).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001e\\u2028\"");
  }
}
