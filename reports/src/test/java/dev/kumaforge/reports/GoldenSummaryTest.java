package dev.kumaforge.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.model.SummaryJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Golden numbers: checked-in .hlog fixtures (see GoldenRun) to exact figures in summary.json. */
class GoldenSummaryTest {
  @TempDir static Path tmp;
  static Path run;
  static Summary summary;
  static JsonNode json;

  @BeforeAll
  static void generate() throws IOException {
    run = Fixtures.copyRun("golden", tmp);
    summary = RunReport.generate(run);
    json = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
  }

  @Test
  void headerFields() {
    assertThat(json.get("schema_version").asInt()).isEqualTo(1);
    assertThat(json.get("scenario").asText()).isEqualTo("golden");
    assertThat(json.get("started_at").asText()).isEqualTo("2026-11-21T23:59:00Z");
    assertThat(json.get("baseline").asText()).isEqualTo("direct");
    assertThat(json.at("/machine/cpu_model").asText()).isEqualTo("Fixture CPU @ 3.0GHz");
    assertThat(json.get("metric_definitions").fieldNames())
        .toIterable()
        .contains("latency", "ttft", "itl", "tpot", "goodput", "added_latency");
  }

  @Test
  void directExactFigures() {
    JsonNode d = json.at("/targets/0");
    assertThat(d.get("name").asText()).isEqualTo("direct");
    assertThat(d.get("type").asText()).isEqualTo("direct");
    assertThat(d.get("requests").asLong()).isEqualTo(1000);
    assertThat(d.get("errors").asLong()).isEqualTo(0);
    assertThat(d.get("error_rate").asDouble()).isEqualTo(0.0);
    assertThat(d.get("throughput_rps").asDouble()).isEqualTo(100.0);
    assertThat(d.at("/latency_us/p50").asLong()).isEqualTo(1510);
    assertThat(d.at("/latency_us/p90").asLong()).isEqualTo(1910);
    assertThat(d.at("/latency_us/p99").asLong()).isEqualTo(2000);
    assertThat(d.at("/latency_us/p999").asLong()).isEqualTo(2013);
    assertThat(d.at("/latency_us/max").asLong()).isEqualTo(2016);
    assertThat(d.get("added_latency_us").isNull()).isTrue();
    assertThat(d.get("valid").asBoolean()).isTrue();
    assertThat(d.get("invalid_reason").isNull()).isTrue();
  }

  @Test
  void referenceExactFiguresMergedOverTrials() {
    JsonNode r = json.at("/targets/1");
    assertThat(r.get("name").asText()).isEqualTo("reference");
    assertThat(r.get("requests").asLong()).isEqualTo(1003);
    assertThat(r.get("ok").asLong()).isEqualTo(1001);
    assertThat(r.get("errors").asLong()).isEqualTo(2);
    assertThat(r.get("error_rate").asDouble()).isEqualTo(0.001994);
    assertThat(r.get("throughput_rps").asDouble()).isEqualTo(100.3);
    assertThat(r.at("/latency_us/p50").asLong()).isEqualTo(2517);
    assertThat(r.at("/latency_us/p99").asLong()).isEqualTo(3497);
    // 1001 values: p99.9 is the 1000th, the largest regular value 3522 (bucket 3522-3523)
    assertThat(r.at("/latency_us/p999").asLong()).isEqualTo(3523);
    // the single 48 ms outlier, reported as its bucket's highest equivalent value
    assertThat(r.at("/latency_us/max").asLong()).isEqualTo(48031);
    assertThat(r.at("/added_latency_us/p50").asLong()).isEqualTo(1007);
    assertThat(r.at("/added_latency_us/p90").asLong()).isEqualTo(1407);
    assertThat(r.at("/added_latency_us/p99").asLong()).isEqualTo(1497);
    assertThat(r.at("/added_latency_us/p999").asLong()).isEqualTo(1510);
    assertThat(r.at("/errors_by_kind/status_503").asLong()).isEqualTo(2);
    // the target process's CPU per request: the mean of the trials' 250 and 300
    assertThat(r.get("cpu_us_per_request").asDouble()).isEqualTo(275.0);
    assertThat(r.at("/trials/per_trial/1/cpu_us_per_request").asDouble()).isEqualTo(300.0);
    assertThat(json.at("/targets/0/cpu_us_per_request").isNull()).isTrue();
  }

  @Test
  void perTrialFiguresAndSpread() {
    JsonNode trials = json.at("/targets/1/trials");
    assertThat(trials.get("count").asInt()).isEqualTo(2);
    assertThat(trials.at("/per_trial/0/requests").asLong()).isEqualTo(502);
    assertThat(trials.at("/per_trial/0/errors").asLong()).isEqualTo(2);
    assertThat(trials.at("/per_trial/0/throughput_rps").asDouble()).isEqualTo(100.4);
    assertThat(trials.at("/per_trial/1/requests").asLong()).isEqualTo(501);
    assertThat(trials.at("/per_trial/1/latency_us/max").asLong()).isEqualTo(48031);
    assertThat(trials.at("/spread/p50_us/min").asDouble()).isEqualTo(2511);
    assertThat(trials.at("/spread/p50_us/max").asDouble()).isEqualTo(2523);
    assertThat(trials.at("/spread/p99_us/min").asDouble()).isEqualTo(3491);
    assertThat(trials.at("/spread/p99_us/max").asDouble()).isEqualTo(3503);
    assertThat(trials.at("/spread/throughput_rps/min").asDouble()).isEqualTo(100.2);
    assertThat(trials.at("/spread/throughput_rps/max").asDouble()).isEqualTo(100.4);
  }

  @Test
  void timeSeriesPerSecondFromIntervals() {
    JsonNode ts = json.at("/targets/1/timeseries");
    assertThat(ts.size()).isEqualTo(5);
    assertThat(ts.at("/0/t_s").asLong()).isEqualTo(0);
    // second 2: 100 + 101 requests over 2 trials
    assertThat(ts.at("/2/rate_rps").asDouble()).isEqualTo(100.5);
    // second 3: two errors in trial 1, mean per trial 1/s
    assertThat(ts.at("/3/errors_per_s").asDouble()).isEqualTo(1.0);
    assertThat(json.at("/targets/0/spectrum").size()).isGreaterThan(10);
    JsonNode spectrum = json.at("/targets/1/spectrum");
    assertThat(spectrum.at("/0/percentile").asDouble()).isEqualTo(0.0);
    assertThat(spectrum.get(spectrum.size() - 1).get("percentile").asDouble()).isEqualTo(99.999);
    assertThat(spectrum.get(spectrum.size() - 1).get("value_us").asLong()).isEqualTo(48031);
  }

  @Test
  void slosAndVerdict() {
    assertThat(json.get("slos").size()).isEqualTo(6);
    JsonNode failed = json.at("/slos/5");
    assertThat(failed.get("target").asText()).isEqualTo("reference");
    assertThat(failed.get("name").asText()).isEqualTo("error rate <= 0.1%");
    assertThat(failed.get("threshold").asDouble()).isEqualTo(0.001);
    assertThat(failed.get("actual").asDouble()).isEqualTo(0.001994);
    assertThat(failed.get("passed").asBoolean()).isFalse();
    assertThat(json.at("/slos/0/name").asText()).isEqualTo("latency p99 <= 3.5ms");
    assertThat(json.get("verdict").asText()).isEqualTo("fail");
    assertThat(RunReport.exitCode(summary)).isEqualTo(1);
  }

  @Test
  void summaryJsonRoundTrips() {
    assertThat(SummaryJson.read(run)).isEqualTo(summary);
    assertThat(RunReport.load(run)).isEqualTo(summary);
    assertThat(RunReport.load(run.resolve("summary.json"))).isEqualTo(summary);
  }

  @Test
  void loadComputesTheSummaryOfAFolderWithoutOne() {
    Path fresh = Fixtures.copyRun("golden", tmp.resolve("fresh"));
    Summary loaded = RunReport.load(fresh);
    assertThat(loaded.targets())
        .extracting(t -> t.latencyUs())
        .isEqualTo(summary.targets().stream().map(t -> t.latencyUs()).toList());
    assertThat(Files.exists(fresh.resolve("summary.json"))).isFalse();
  }

  @Test
  void reportFilesWrittenAtomicallyWithNoTemporaryLeftovers() throws IOException {
    try (Stream<Path> files = Files.list(run)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertThat(names)
          .containsExactly(
              "junit.xml", "manifest.json", "report.html", "report.md", "summary.json", "targets");
    }
    // a second generation replaces the files in place, still without leftovers
    RunReport.generate(run);
    try (Stream<Path> files = Files.list(run)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void markdownHasMachineDefinitionsTablesAndVerdicts() throws IOException {
    String md = Files.readString(run.resolve("report.md"));
    assertThat(md)
        .contains("# Forge report: golden")
        .contains("**Verdict: FAIL**")
        .contains("## Machine")
        .contains("Fixture CPU @ 3.0GHz")
        .contains("## Metric definitions")
        .contains("**added_latency**")
        .contains("| reference | reference | 100.3 | 2.517 | 3.317 | 3.497 | 3.523 | 48.031 |")
        .contains("+1.007")
        .contains("| reference | error rate <= 0.1% | 0.1% | 0.199% | FAIL |");
  }

  @Test
  void junitHasEverySloAsTestCase() throws IOException {
    String xml = Files.readString(run.resolve("junit.xml"));
    assertThat(xml)
        .contains("tests=\"10\" failures=\"1\" errors=\"0\"")
        .contains("name=\"SLO latency p99 &lt;= 3.5ms\"")
        .contains(
            "<failure type=\"SloViolation\" message=\"actual 0.199% exceeds threshold 0.1%\"");
  }
}
