package dev.kumaforge.reports.render.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.reports.model.Range;
import dev.kumaforge.reports.model.Ratio;
import org.junit.jupiter.api.Test;

class TablesTest {
  @Test
  void ratioRowShowsTheTrialSpreadOnlyWhenThereIsOne() {
    assertThat(
            Tables.ratioRow(
                new Ratio("reference", "nginx", "cpu_per_request", 2.5, new Range(2.1, 2.9), 3)))
        .containsExactly("reference/nginx", "cpu per request", "2.5x", "2.1x", "2.9x", "3");
    // one trial: its ratio is the value; a min/max of one number is no spread
    assertThat(
            Tables.ratioRow(
                new Ratio("reference", "nginx", "added_p50", 4.0, new Range(4.0, 4.0), 1)))
        .containsExactly("reference/nginx", "added p50", "4x", "-", "-", "1");
    // undefined merged ratio (e.g. the peer's added p99 is zero): no spread next to it
    assertThat(
            Tables.ratioRow(
                new Ratio("reference", "nginx", "added_p99", null, new Range(3.0, 9.0), 2)))
        .containsExactly("reference/nginx", "added p99", "-", "-", "-", "2");
  }
}
