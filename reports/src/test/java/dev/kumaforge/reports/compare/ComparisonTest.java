package dev.kumaforge.reports.compare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.reports.RunReport;
import dev.kumaforge.reports.fixtures.SyntheticRun;
import dev.kumaforge.reports.model.Summary;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two runs side by side with differences and noise. */
class ComparisonTest {
  @TempDir Path tmp;

  private Summary run(String name, int trials, SyntheticRun.Latency latency) {
    return RunReport.summarize(
        List.of(SyntheticRun.write(tmp.resolve(name), "cmp", trials, latency)));
  }

  @Test
  void showsDifferencesNoiseAndRatios() {
    // A: reference 2000 µs flat, trials differ by 100 µs; B: reference 3000 µs flat.
    Summary a = run("a", 2, (t, trial, i) -> t.equals("direct") ? 1000 : 2000 + 100 * (trial - 1));
    Summary b = run("b", 2, (t, trial, i) -> t.equals("direct") ? 1000 : 3000);
    Comparison c = Comparison.of(a, b);

    Comparison.Row p99 = c.row("reference", Metric.P99).orElseThrow();
    assertThat(p99.a()).isEqualTo(2101.0); // 2100 lands in bucket 2100-2101
    assertThat(p99.b()).isEqualTo(3001.0);
    assertThat(p99.diff()).isEqualTo(900.0);
    assertThat(p99.noise()).isEqualTo(101.0); // per-trial p99: 2001 and 2101
    assertThat(p99.beyondNoise()).isTrue();

    Comparison.Row ratio = c.row("reference", Metric.RATIO_P99).orElseThrow();
    assertThat(ratio.a()).isEqualTo(2.101);
    assertThat(ratio.b()).isEqualTo(3.001);
    assertThat(c.row("direct", Metric.RATIO_P99)).isEmpty();

    Comparison.Row direct = c.row("direct", Metric.P50).orElseThrow();
    assertThat(direct.diff()).isEqualTo(0.0);
    assertThat(direct.beyondNoise()).isFalse();

    String text = c.render();
    assertThat(text)
        .contains("reference  latency_us.p99")
        .contains("+900µs")
        .contains("WORSE")
        .contains("within noise");
  }

  @Test
  void targetsInOnlyOneRunAreShown() {
    Summary a = run("a", 1, (t, trial, i) -> 1000);
    Summary b = run("b", 1, (t, trial, i) -> 1000);
    Summary bWithoutReference =
        new Summary(
            b.schemaVersion(),
            b.scenario(),
            b.startedAt(),
            b.forgeVersion(),
            b.gitCommit(),
            b.baseline(),
            b.machine(),
            b.workload(),
            b.metricDefinitions(),
            b.sources(),
            List.of(b.targets().get(0)),
            b.slos(),
            b.verdict(),
            b.verdictReason(),
            List.of());
    Comparison c = Comparison.of(a, bWithoutReference);
    Comparison.Row row = c.row("reference", Metric.P50).orElseThrow();
    assertThat(row.b()).isNull();
    assertThat(row.diff()).isNull();
    assertThat(c.render()).contains("only in A");
  }
}
