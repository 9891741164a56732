package dev.kumaforge.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.reports.fixtures.SyntheticRun;
import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.model.TargetSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several run folders (e.g. several load machines) merge exactly into one report. */
class MergeTest {
  @TempDir Path tmp;

  @Test
  void mergesHistogramsExactlyAndSumsThroughput() {
    // machine A saw 1000..1099 µs, machine B 3000..3099 µs, for both trials
    Path a = SyntheticRun.write(tmp.resolve("a"), "multi", 2, (t, trial, i) -> 1000 + i % 100);
    Path b = SyntheticRun.write(tmp.resolve("b"), "multi", 2, (t, trial, i) -> 3000 + i % 100);
    Path out = tmp.resolve("merged");
    Summary s = RunReport.generate(List.of(a, b), out);

    TargetSummary ref = s.target("reference").orElseThrow();
    // 2 machines x 2 trials x 200 requests
    assertThat(ref.requests()).isEqualTo(800);
    // exact: half the values are below 1100, so p50 is the largest of them, 1099
    assertThat(ref.latencyUs().p50()).isEqualTo(1099);
    // p99 = rank 792 of 800 = the 392nd of B's 400 values (each value 4 times): 3097
    assertThat(ref.latencyUs().p99()).isEqualTo(3097);
    assertThat(ref.latencyUs().max()).isEqualTo(3099);
    // both machines drove the target at the same time: rates add
    assertThat(ref.throughputRps()).isEqualTo(200.0);
    assertThat(ref.trials().count()).isEqualTo(2);
    assertThat(ref.trials().perTrial().get(0).sources()).hasSize(2);
    assertThat(ref.timeseries().get(0).rateRps()).isEqualTo(200.0);
    assertThat(s.sources()).hasSize(2);
    assertThat(Files.exists(out.resolve("report.html"))).isTrue();
    assertThat(Files.exists(out.resolve("summary.json"))).isTrue();
  }

  @Test
  void refusesToMergeDifferentScenarios() {
    Path a = SyntheticRun.write(tmp.resolve("a"), "one", 1, (t, trial, i) -> 1000);
    Path b = SyntheticRun.write(tmp.resolve("b"), "two", 1, (t, trial, i) -> 1000);
    assertThatThrownBy(() -> RunReport.summarize(List.of(a, b)))
        .isInstanceOf(ReportException.class)
        .hasMessageContaining("different scenarios")
        .hasMessageContaining(b.resolve("manifest.json").toString());
  }
}
