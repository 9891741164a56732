package dev.kumaforge.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.render.internal.Charts.Bar;
import dev.kumaforge.reports.render.internal.Comparisons;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The comparison bars of the golden run with an nginx peer, to exact values and per-trial ranges
 * (golden trials: direct p50 1.507/1.514 ms, reference p50 2.511/2.523 ms, p99 1.997/2.004 and
 * 3.491/3.503 ms; reference CPU 250/300 µs, nginx 125/150 µs).
 */
class ComparisonBarsTest {
  @TempDir Path tmp;

  private Summary summary() throws IOException {
    return RunReport.summarize(List.of(Fixtures.addNginxPeer(Fixtures.copyRun("golden", tmp))));
  }

  @Test
  void barsCarryMergedValueAndTrialRange() throws IOException {
    Summary s = summary();
    assertThat(Comparisons.throughput(s))
        .containsExactly(
            new Bar("direct", 0, 100.0, 100.0, 100.0),
            new Bar("reference", 1, 100.3, 100.2, 100.4),
            new Bar("nginx", 2, 100.3, 100.2, 100.4));
    assertThat(Comparisons.cpu(s))
        .containsExactly(
            new Bar("reference", 1, 275.0, 250.0, 300.0), new Bar("nginx", 2, 137.5, 125.0, 150.0));
    // added latency in ms: merged percentile difference; per trial, trial k minus direct's trial k
    assertThat(Comparisons.added(s, "p50"))
        .containsExactly(
            new Bar("reference", 1, 1.007, 1.004, 1.009), new Bar("nginx", 2, 1.007, 1.004, 1.009));
    assertThat(Comparisons.added(s, "p99"))
        .containsExactly(
            new Bar("reference", 1, 1.497, 1.494, 1.499), new Bar("nginx", 2, 1.497, 1.494, 1.499));
    assertThat(Comparisons.costPer1k(s)).isEmpty();
  }
}
