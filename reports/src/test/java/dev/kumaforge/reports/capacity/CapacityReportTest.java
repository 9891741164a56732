package dev.kumaforge.reports.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.reports.ReportException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Golden test: the checked-in capacity.json fixture to exact capacity.md rows and the curve. */
class CapacityReportTest {
  @TempDir Path tmp;

  static Path fixture(Path tmp) throws IOException, URISyntaxException {
    Path src =
        Path.of(
            CapacityReportTest.class
                .getResource("/capacity-fixtures/basic/" + CapacityReport.JSON)
                .toURI());
    Path dir = tmp.resolve("cap");
    Files.createDirectories(dir);
    Files.copy(src, dir.resolve(CapacityReport.JSON));
    return dir;
  }

  @Test
  void writesMarkdownAndHtmlWithExactNumbers() throws Exception {
    Path dir = fixture(tmp);
    CapacityRun run = CapacityReport.generate(dir);
    assertThat(run.targets()).hasSize(2);
    assertThat(run.criteria().latencyMicros()).containsEntry("p99", 50_000L);

    String md = Files.readString(dir.resolve(CapacityReport.MARKDOWN));
    assertThat(md)
        .startsWith("# Capacity: capacity-fixture\n")
        .contains(
            "- A step is sustained when: p99 <= 50ms, errors <= 0.1%, achieved >= 99% of offered"
                + " and the generator kept its schedule")
        .contains("| direct | direct | 1600 | 800 | 3200 | 5000 | 4 |")
        .contains("| reference | reference | 800 | 400 | 1600 | 5000 | 7 |")
        // steps ordered by offered rate, not search order
        .contains(
            "| 1600 | 8000 | 8000 | 0.05% | 4.000 | 15.000 | 40.000 | 60.000 | 70.000 | - |"
                + " kept schedule | sustained |\n"
                + "| 3200 | 16000 | 15100 | 2% | 30.000 | 80.000 | 120.000 | 150.000 | 200.000 |"
                + " - | kept schedule | missed: p99 120ms > 50ms; errors 2% > 0.1% |")
        .contains(
            "| 200 | 1000 | 1000 | 0% | 1.500 | 3.000 | 6.000 | 9.000 | 10.000 | 2.000 |"
                + " kept schedule | sustained |")
        .contains("FELL BEHIND | missed: achieved 87.5% of offered");

    String html = Files.readString(dir.resolve(CapacityReport.HTML));
    assertThat(html).contains("<svg id='capacity'").doesNotContain("http://", "https://");
    assertThat(html)
        .contains("SLO p99 &lt;= 50ms", "knee direct 800/s", "max sustained reference 800/s");
  }

  @Test
  void badInputNamesTheFileAndField() throws Exception {
    Path dir = fixture(tmp);
    Path f = dir.resolve(CapacityReport.JSON);
    Files.writeString(f, Files.readString(f).replace("\"rate_rps\": 400.0", "\"rate_rps\": 0"));
    assertThatThrownBy(() -> CapacityReport.generate(dir))
        .isInstanceOf(ReportException.class)
        .hasMessageContaining("capacity.json")
        .hasMessageContaining("targets[0].steps[2].rate_rps must be > 0");
    assertThat(dir.resolve(CapacityReport.MARKDOWN)).doesNotExist();
    assertThatThrownBy(() -> CapacityReport.generate(tmp)).hasMessageContaining("no capacity file");
  }
}
