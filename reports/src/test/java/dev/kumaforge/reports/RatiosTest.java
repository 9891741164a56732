package dev.kumaforge.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.reports.model.Ratio;
import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.render.SummaryTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reference/peer ratios from a run folder: the golden run plus an "nginx" target whose trials are
 * the reference's histograms with half its CPU per request, so every ratio is known exactly.
 */
class RatiosTest {
  @TempDir Path tmp;

  private Path runWithPeer() throws IOException {
    return Fixtures.addNginxPeer(Fixtures.copyRun("golden", tmp));
  }

  private static Ratio ratio(Summary s, String metric) {
    return s.ratios().stream().filter(r -> r.metric().equals(metric)).findFirst().orElseThrow();
  }

  @Test
  void referenceAgainstEachPeerWithPerTrialSpread() throws IOException {
    Summary s = RunReport.summarize(List.of(runWithPeer()));
    assertThat(s.ratios()).hasSize(4).allMatch(r -> r.numerator().equals("reference"));
    assertThat(s.ratios()).allMatch(r -> r.denominator().equals("nginx"));

    Ratio cpu = ratio(s, "cpu_per_request");
    assertThat(cpu.value()).isEqualTo(2.0);
    assertThat(cpu.trials().min()).isEqualTo(2.0);
    assertThat(cpu.trials().max()).isEqualTo(2.0);
    assertThat(cpu.trialCount()).isEqualTo(2);

    // identical histograms: identical added latency, trial by trial
    Ratio added = ratio(s, "added_p99");
    assertThat(added.value()).isEqualTo(1.0);
    assertThat(added.trials().min()).isEqualTo(1.0);
    assertThat(added.trials().max()).isEqualTo(1.0);
    assertThat(ratio(s, "throughput").value()).isEqualTo(1.0);

    assertThat(SummaryTable.render(s))
        .contains("reference/nginx cpu per request: 2x (trials 2-2x)");
  }

  @Test
  void noPeerNoRatios() {
    Summary s = RunReport.summarize(List.of(Fixtures.copyRun("golden", tmp)));
    assertThat(s.ratios()).isEmpty();
  }
}
