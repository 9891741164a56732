package dev.kumaforge.reports;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report.html is one self-contained file with inline SVG charts. */
class HtmlReportTest {
  @TempDir static Path tmp;
  static String html;

  @BeforeAll
  static void generate() throws IOException {
    Path run = Fixtures.copyRun("golden", tmp);
    RunReport.generate(run);
    html = Files.readString(run.resolve("report.html"));
  }

  @Test
  void containsBothSvgCharts() {
    assertThat(html).contains("<svg id='spectrum'").contains("<svg id='timeseries'");
    // spectrum, time series and the comparison bars: throughput, CPU (reference only), added p50
    // and p99 (reference only; direct is the baseline)
    assertThat(html)
        .contains("<svg id='cmp-throughput'", "<svg id='cmp-cpu'", "<svg id='cmp-added-p50'")
        .contains("<svg id='cmp-added-p99'");
    assertThat(Pattern.compile("<svg[ >]").matcher(html).results().count()).isEqualTo(6);
    assertThat(html).contains("</svg>");
  }

  @Test
  void spectrumHasPercentileAxisAndUnitInLegend() {
    for (String label : new String[] {"50%", "90%", "99%", "99.9%", "99.99%", "99.999%"}) {
      assertThat(html).contains(">" + label + "</text>");
    }
    assertThat(html).contains("latency (ms)").contains("direct latency (ms)");
  }

  @Test
  void timeSeriesHasRateLatencyAndErrors() {
    assertThat(html)
        .contains("reference p99 (ms)")
        .contains("reference p50 (ms)")
        .contains("reference rate (req/s)")
        .contains("reference errors (/s)");
  }

  @Test
  void noExternalResources() {
    assertThat(html).doesNotContainIgnoringCase("http://").doesNotContainIgnoringCase("https://");
    assertThat(html).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<link");
    assertThat(html).doesNotContainIgnoringCase("@import");
    assertThat(
            Pattern.compile("(src|href)\\s*=\\s*['\"](?!#)", Pattern.CASE_INSENSITIVE)
                .matcher(html)
                .find())
        .isFalse();
  }

  @Test
  void containsTheTablesAndMachine() {
    assertThat(html)
        .contains("<td>reference</td><td>reference</td><td>100.3</td><td>2.517</td>")
        .contains("Fixture CPU @ 3.0GHz")
        .contains("Metric definitions")
        .contains("class=\"badge fail\">FAIL<");
  }
}
