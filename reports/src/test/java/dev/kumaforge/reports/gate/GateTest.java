package dev.kumaforge.reports.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.common.config.ConfigException;
import dev.kumaforge.reports.RunReport;
import dev.kumaforge.reports.compare.Metric;
import dev.kumaforge.reports.fixtures.SyntheticRun;
import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.model.SummaryJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real regression fails the gate; a difference inside the trial-to-trial noise passes. */
class GateTest {
  @TempDir Path tmp;

  /** Reference at {@code base} µs plus 0..99 µs, trial offsets from {@code trialOffsets}. */
  private Path run(String name, long direct, long reference, long... trialOffsets) {
    Path dir =
        SyntheticRun.write(
            tmp.resolve(name),
            "gate",
            trialOffsets.length,
            (t, trial, i) ->
                (t.equals("direct") ? direct : reference) + trialOffsets[trial - 1] + i % 100);
    RunReport.generate(dir);
    return dir;
  }

  @Test
  void realRegressionFails() throws IOException {
    Summary baseline = SummaryJson.read(run("base", 1000, 2000, 0, 20, 40));
    // reference 50% slower, trials tight: beyond the 15% p99 limit and the 40 µs noise
    Path runDir = run("slow", 1000, 3000, 0, 20, 40);
    GateResult r = Gate.check(baseline, SummaryJson.read(runDir), GatePolicy.defaults());
    assertThat(r.passed()).isFalse();
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.failures())
        .extracting(GateCheck::target, GateCheck::metric)
        .contains(
            org.assertj.core.groups.Tuple.tuple("reference", Metric.P99.key()),
            org.assertj.core.groups.Tuple.tuple("reference", Metric.RATIO_P99.key()));
    assertThat(r.failures()).allMatch(c -> c.target().equals("reference"));
    assertThat(r.render()).contains("FAIL     reference").contains("gate: FAIL");

    Path junit = runDir.resolve("gate-junit.xml");
    Gate.writeJunit(r, junit);
    assertThat(Files.readString(junit))
        .contains("<failure type=\"Regression\"")
        .contains("exceeds both the limit and the trial-to-trial noise");
  }

  @Test
  void differenceInsideTheNoisePasses() {
    // baseline trials of reference: one trial 1000 µs slower than the others (noise 1000 µs at
    // p50); the run's p50 is 850 µs (41%) worse, beyond the 10% limit but inside the noise
    Summary baseline = SummaryJson.read(run("noisy", 1000, 2000, 0, 0, 1000));
    Summary slower = SummaryJson.read(run("slower", 1000, 2000, 0, 900, 900));
    GateResult r = Gate.check(baseline, slower, GatePolicy.defaults());
    GateCheck p50 =
        r.checks().stream()
            .filter(c -> c.target().equals("reference") && c.metric().equals(Metric.P50.key()))
            .findFirst()
            .orElseThrow();
    assertThat(p50.baseline()).isEqualTo(2075);
    assertThat(p50.actual()).isEqualTo(2925);
    assertThat(p50.noise()).isEqualTo(1000);
    assertThat(p50.worsening()).isGreaterThan(p50.limit());
    assertThat(p50.worsening()).isLessThanOrEqualTo(p50.noise());
    assertThat(p50.passed()).isTrue();
    assertThat(p50.message()).endsWith("within noise");
    assertThat(r.passed()).isTrue();
    assertThat(r.exitCode()).isZero();
    assertThat(r.junitXml()).contains("failures=\"0\"").doesNotContain("<failure");
  }

  @Test
  void sameRunPassesAndInvalidRunIsExitTwo() throws IOException {
    Path base = run("same", 1000, 2000, 0, 10);
    assertThat(
            Gate.check(SummaryJson.read(base), SummaryJson.read(base), GatePolicy.defaults())
                .exitCode())
        .isZero();

    Path bad = run("bad", 1000, 2000, 0, 10);
    Path result = bad.resolve("targets/reference/trial-1/result.json");
    Files.writeString(
        result,
        Files.readString(result)
            .replace(
                "\"valid\":true,\"invalid_reason\":null",
                "\"valid\":false,\"invalid_reason\":\"lag\""));
    RunReport.generate(bad);
    GateResult r = Gate.check(SummaryJson.read(base), SummaryJson.read(bad), GatePolicy.defaults());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.junitXml()).contains("<error type=\"InvalidRun\"");
  }

  @Test
  void policyLoadsFromYamlAndRejectsBadValues() throws IOException {
    Path file = tmp.resolve("gate.yaml");
    Files.writeString(file, "latency:\n  p99: 5%\nthroughputDrop: 0.02\n");
    GatePolicy p = GatePolicy.load(file);
    assertThat(p.thresholds())
        .containsEntry(Metric.P99, 0.05)
        .containsEntry(Metric.THROUGHPUT, 0.02)
        .containsEntry(Metric.ERROR_RATE, 0.001)
        .doesNotContainKey(Metric.P50);

    Files.writeString(file, "latency:\n  p95: 5%\n  p99: lots\n");
    assertThatThrownBy(() -> GatePolicy.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("latency.p95")
        .hasMessageContaining("latency.p99");
  }

  @Test
  void shippedPolicyFileEqualsTheDefaults() {
    assertThat(GatePolicy.load(Path.of("baselines/gate.yaml")).thresholds())
        .isEqualTo(GatePolicy.defaults().thresholds());
  }

  @Test
  void missingTargetFails() {
    Summary baseline = SummaryJson.read(run("b2", 1000, 2000, 0));
    Summary run = SummaryJson.read(run("r2", 1000, 2000, 0));
    Summary onlyDirect =
        new Summary(
            run.schemaVersion(),
            run.scenario(),
            run.startedAt(),
            run.forgeVersion(),
            run.gitCommit(),
            run.baseline(),
            run.machine(),
            run.workload(),
            run.metricDefinitions(),
            run.sources(),
            List.of(run.targets().get(0)),
            run.slos(),
            run.verdict(),
            run.verdictReason(),
            List.of());
    GateResult r = Gate.check(baseline, onlyDirect, GatePolicy.defaults());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.failures().get(0).message()).contains("missing from the run");
  }
}
