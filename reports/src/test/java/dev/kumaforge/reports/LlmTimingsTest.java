package dev.kumaforge.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.reports.fixtures.SyntheticRun;
import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.model.TargetSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TTFT, ITL and TPOT tags are summarized and reported when the logs hold them. */
class LlmTimingsTest {
  @TempDir Path tmp;

  @Test
  void llmTagsAreSummarizedAndRendered() throws IOException {
    Path run =
        SyntheticRun.write(
            tmp.resolve("llm"), "llm", 1, (t, trial, i) -> 4000 + 4 * (i % 100), true);
    Summary s = RunReport.generate(run);
    TargetSummary ref = s.target("reference").orElseThrow();
    assertThat(ref.ttftUs().count()).isEqualTo(200);
    assertThat(ref.ttftUs().max()).isEqualTo(1099); // (4000 + 396) / 4
    assertThat(ref.itlUs().count()).isEqualTo(1600);
    assertThat(ref.itlUs().p99()).isEqualTo(20);
    assertThat(ref.tpotUs().p50()).isEqualTo(25);
    assertThat(Files.readString(run.resolve("report.md")))
        .contains("## LLM timings")
        .contains("| reference | TTFT | 200 |");
    assertThat(Files.readString(run.resolve("report.html")))
        .contains("<h2>LLM timings</h2>")
        .contains("<svg id='llm-ttft'", "<svg id='llm-itl'", "<svg id='llm-tpot'")
        .contains("TTFT: time to first token by percentile");
  }

  @Test
  void ttftAndTpotObjectivesAreCheckedAndNeedSamples() throws IOException {
    Path run =
        SyntheticRun.write(
            tmp.resolve("slo"), "slo", 1, (t, trial, i) -> 4000 + 4 * (i % 100), true);
    Path manifest = run.resolve("manifest.json");
    Files.writeString(
        manifest,
        Files.readString(manifest)
            .replace(
                "\"slos\":{\"latency_us\":{\"p99\":100000}}",
                "\"slos\":{\"latency_us\":{\"p99\":100000},\"ttft_us\":{\"p99\":1000},"
                    + "\"tpot_us\":{\"p50\":30}}"));
    Summary s = RunReport.generate(run);
    assertThat(s.slos())
        .filteredOn(r -> r.target().equals("reference"))
        .extracting(r -> r.metric() + "=" + r.passed())
        .containsExactly("latency_us.p99=true", "ttft_us.p99=false", "tpot_us.p50=true");
    assertThat(s.slos())
        .filteredOn(r -> r.metric().equals("ttft_us.p99"))
        .allSatisfy(r -> assertThat(r.actual()).isEqualTo(1098.0));
    assertThat(s.verdict()).isEqualTo("fail");
    assertThat(Files.readString(run.resolve("junit.xml")))
        .contains("SLO ttft p99 &lt;= 1ms", "actual 1.098ms exceeds threshold 1ms");

    Path plain = SyntheticRun.write(tmp.resolve("plain-slo"), "plain", 1, (t, trial, i) -> 1000);
    Path pm = plain.resolve("manifest.json");
    Files.writeString(
        pm,
        Files.readString(pm)
            .replace(
                "\"slos\":{\"latency_us\":{\"p99\":100000}}",
                "\"slos\":{\"ttft_us\":{\"p99\":1000}}"));
    Summary noStreams = RunReport.generate(plain);
    assertThat(noStreams.slos())
        .allSatisfy(
            r -> {
              assertThat(r.passed()).isFalse();
              assertThat(r.name()).endsWith("(no samples)");
            });
  }

  @Test
  void absentWithoutTheTags() throws IOException {
    Path run = SyntheticRun.write(tmp.resolve("plain"), "plain", 1, (t, trial, i) -> 1000);
    Summary s = RunReport.summarize(List.of(run));
    assertThat(s.target("direct").orElseThrow().ttftUs()).isNull();
    RunReport.write(s, run);
    assertThat(Files.readString(run.resolve("report.md"))).doesNotContain("LLM timings");
  }
}
