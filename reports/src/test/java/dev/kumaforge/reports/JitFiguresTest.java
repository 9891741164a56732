package dev.kumaforge.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.reports.model.JitFigures;
import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.model.SummaryJson;
import dev.kumaforge.reports.model.TargetSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM target's JIT figures (result.json {@code target_process.jit_cpu_cores} and {@code
 * jit_settle}, written by the harness) reach the summary and the reports' trial tables; a target
 * without them gets no JIT column.
 */
class JitFiguresTest {
  @TempDir Path tmp;

  private static void add(Path result, String json) throws IOException {
    String text = Files.readString(result).strip();
    Files.writeString(result, text.substring(0, text.length() - 1) + "," + json + "}");
  }

  private Path run() throws IOException {
    Path run = Fixtures.copyRun("golden", tmp);
    Path t1 = run.resolve("targets/reference/trial-1/result.json");
    Path t2 = run.resolve("targets/reference/trial-2/result.json");
    // the fixture's target_process object is replaced by one with the JIT share
    Files.writeString(
        t1,
        Files.readString(t1)
            .replace(
                "\"target_process\":{\"cpu_us_per_request\":250.0}",
                "\"target_process\":{\"cpu_us_per_request\":250.0,\"jit_cpu_cores\":0.0233}"));
    add(
        t1,
        "\"jit_settle\":{\"settled\":true,\"rounds\":4,\"load_s\":71.2,"
            + "\"compiler_cores_per_round\":[0.14,0.05,0.02,0.004]}");
    add(
        t2,
        "\"jit_settle\":{\"settled\":false,\"rounds\":12,\"load_s\":180.4,"
            + "\"compiler_cores_per_round\":[]}");
    return run;
  }

  @Test
  void theFiguresReachTheSummaryAndTheTrialTables() throws IOException {
    Path run = run();
    Summary s = RunReport.generate(run);
    TargetSummary ref = s.target("reference").orElseThrow();
    assertThat(ref.trials().perTrial().get(0).jit())
        .isEqualTo(new JitFigures(0.0233, true, 4, 71.2));
    assertThat(ref.trials().perTrial().get(1).jit())
        .isEqualTo(new JitFigures(null, false, 12, 180.4));
    assertThat(s.target("direct").orElseThrow().trials().perTrial().get(0).jit()).isNull();

    String md = Files.readString(run.resolve("report.md"));
    assertThat(md).contains("| JIT while measured |");
    assertThat(md).contains("| 2.3%; settled after 4 rounds |");
    assertThat(md).contains("| -; NOT settled after 12 rounds |");
    // the direct target's table has no JIT column
    String direct = md.substring(md.indexOf("### direct"), md.indexOf("### reference"));
    assertThat(direct).doesNotContain("JIT");
    assertThat(md).contains("**jit_while_measured**");
    assertThat(Files.readString(run.resolve("report.html"))).contains("settled after 4 rounds");

    Summary again = SummaryJson.read(run.resolve(SummaryJson.FILE));
    assertThat(again.target("reference").orElseThrow().trials().perTrial().get(0).jit())
        .isEqualTo(new JitFigures(0.0233, true, 4, 71.2));
  }

  @Test
  void aMalformedSettleObjectIsRefusedNamingTheFile() throws IOException {
    Path run = Fixtures.copyRun("golden", tmp);
    Path t1 = run.resolve("targets/reference/trial-1/result.json");
    add(t1, "\"jit_settle\":{\"rounds\":4}");
    assertThatThrownBy(() -> RunReport.generate(run))
        .isInstanceOf(ReportException.class)
        .hasMessageContaining(t1.toString())
        .hasMessageContaining("jit_settle must be an object with settled true or false");
  }
}
