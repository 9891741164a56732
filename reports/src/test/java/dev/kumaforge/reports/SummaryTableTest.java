package dev.kumaforge.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.render.SummaryTable;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's plain-text table. */
class SummaryTableTest {
  @TempDir Path tmp;

  @Test
  void rendersOneAlignedRowPerTargetAndTheVerdict() {
    Summary s = RunReport.summarize(List.of(Fixtures.copyRun("golden", tmp)));
    String table = SummaryTable.render(s);
    assertThat(table)
        .isEqualTo(
            """
            target     type       req/s  p50 ms  p99 ms  p99.9 ms      errors  +p50 ms  +p99 ms  CPU us/req
            direct     direct     100.0   1.510   2.000     2.013           0        -        -           -
            reference  reference  100.3   2.517   3.497     3.523  2 (0.199%)   +1.007   +1.497       275.0
            added latency (+) is vs baseline "direct"; CPU us/req is the target process's CPU time per request while measured
            verdict: FAIL (1 of 6 SLO checks failed: reference error rate <= 0.1% (actual 0.199%))
            """);
  }
}
