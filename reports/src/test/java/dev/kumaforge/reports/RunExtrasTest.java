package dev.kumaforge.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.reports.model.Event;
import dev.kumaforge.reports.model.JmhBenchmark;
import dev.kumaforge.reports.model.PublishedFigure;
import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.model.SummaryJson;
import dev.kumaforge.reports.model.TargetSummary;
import dev.kumaforge.reports.model.TokenUsage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The optional inputs of a run folder (events.jsonl, jmh.json, result.json usage/cost_usd) and the
 * published-figures rows, from the golden run to exact figures.
 */
class RunExtrasTest {
  @TempDir Path tmp;

  static final String EVENTS =
      """
      {"t_ms": 0, "type": "phase", "name": "steady"}
      {"t_ms": 1500, "type": "fault_start", "name": "latency 50ms"}
      {"t_ms": 3000, "type": "fault_end", "name": "latency 50ms"}
      {"t_ms": 4000, "type": "phase", "name": "recovery"}
      """;

  static final String JMH =
      """
      [{"jmhVersion":"1.37","benchmark":"dev.kumaforge.bench.RouteMatchBench.match",
        "mode":"thrpt","threads":1,"forks":2,"params":{"routes":"1000"},
        "primaryMetric":{"score":1234567.891,"scoreError":2345.678,"scoreUnit":"ops/s"}},
       {"benchmark":"dev.kumaforge.bench.PiiBench.mask","mode":"avgt","threads":1,"forks":1,
        "primaryMetric":{"score":812.3456,"scoreError":"NaN","scoreUnit":"ns/op"}}]
      """;

  /** The golden run with events, a JMH result and usage/cost on the reference's trials. */
  static Path extrasRun(Path tmp) throws IOException {
    Path run = Fixtures.copyRun("golden", tmp);
    Files.writeString(run.resolve("events.jsonl"), EVENTS);
    Files.writeString(run.resolve("jmh.json"), JMH);
    addCost(run.resolve("targets/reference/trial-1/result.json"), 5020, 10040, 0.251);
    addCost(run.resolve("targets/reference/trial-2/result.json"), 5010, 10020, 0.5);
    return run;
  }

  private static void addCost(Path result, long prompt, long completion, double cost)
      throws IOException {
    String text = Files.readString(result).strip();
    text =
        text.substring(0, text.length() - 1)
            + ",\"usage\":{\"prompt_tokens\":"
            + prompt
            + ",\"completion_tokens\":"
            + completion
            + "},\"cost_usd\":"
            + cost
            + "}";
    Files.writeString(result, text);
  }

  @Test
  void eventsJmhAndCostReachEveryReport() throws IOException {
    Path run = extrasRun(tmp);
    Summary s = RunReport.generate(run);

    assertThat(s.events())
        .containsExactly(
            new Event(0, "phase", "steady"),
            new Event(1500, "fault_start", "latency 50ms"),
            new Event(3000, "fault_end", "latency 50ms"),
            new Event(4000, "phase", "recovery"));
    assertThat(s.jmh())
        .containsExactly(
            new JmhBenchmark(
                "dev.kumaforge.bench.RouteMatchBench.match[routes=1000]",
                "thrpt",
                1,
                2,
                1234567.891,
                2345.678,
                "ops/s"),
            new JmhBenchmark(
                "dev.kumaforge.bench.PiiBench.mask", "avgt", 1, 1, 812.3456, Double.NaN, "ns/op"));
    TargetSummary ref = s.target("reference").orElseThrow();
    assertThat(ref.usage()).isEqualTo(new TokenUsage(10030, 20060));
    assertThat(ref.costUsd()).isEqualTo(0.751);
    // 0.751 USD over 502 + 501 requests
    assertThat(ref.requests()).isEqualTo(1003);
    assertThat(ref.costPer1kRequestsUsd()).isEqualTo(0.748754);
    assertThat(s.target("direct").orElseThrow().costPer1kRequestsUsd()).isNull();

    Summary back = SummaryJson.read(run);
    assertThat(back.events()).isEqualTo(s.events());
    assertThat(back.jmh()).hasSize(2);
    assertThat(back.target("reference").orElseThrow().costPer1kRequestsUsd()).isEqualTo(0.748754);

    String md = Files.readString(run.resolve(RunReport.MARKDOWN));
    assertThat(md)
        .contains("| reference | 1003 | 10030 | 20060 | $0.751 | $0.748754 |")
        .contains(
            "| dev.kumaforge.bench.RouteMatchBench.match[routes=1000] | thrpt | 1 | 2 | 1234568 |"
                + " ± 2346 | ops/s |")
        .contains("| dev.kumaforge.bench.PiiBench.mask | avgt | 1 | 1 | 812.346 | - | ns/op |")
        .contains("| 1.5 | fault start | latency 50ms |");
    String html = Files.readString(run.resolve(RunReport.HTML));
    assertThat(html)
        .contains("fault: latency 50ms", "phase: recovery", "Shaded red: fault windows")
        .contains("<svg id='cost'", "Microbenchmarks (JMH)")
        .doesNotContain("http://", "https://www.");
  }

  @Test
  void publishedFiguresShownOnlyForGatewaysNotRun() throws IOException {
    Path run = Fixtures.copyRun("golden", tmp);
    Summary s = RunReport.generate(run);
    assertThat(s.publishedFigures())
        .extracting(PublishedFigure::id)
        .containsExactly(
            "envoy-cpu-per-request-shared-runner",
            "nginx-cpu-per-request-shared-runner",
            "istio-sidecars-added-p90",
            "kuma-no-data-plane-figures");
    String md = Files.readString(run.resolve(RunReport.MARKDOWN));
    assertThat(md)
        .contains("## Gateways not run here: published figures")
        .contains("Envoy used about 41.5 µs of CPU per proxied request.")
        .contains("https://istio.io/v1.5/docs/ops/deployment/performance-and-scalability")
        .contains("(source not verified) | published, not measured here |")
        .contains(
            "Published, not measured here: Envoy/nginx CPU per request about 1.89x (41.5 µs / 22"
                + " µs, source not verified). Measured in this run: no reference/nginx CPU"
                + " ratio.");

    Path manifest = run.resolve("manifest.json");
    Files.writeString(
        manifest,
        Files.readString(manifest)
            .replace(
                "{\"name\":\"direct\",\"type\":\"direct\"}",
                "{\"name\":\"direct\",\"type\":\"envoy\"}"));
    Summary withEnvoy = RunReport.summarize(List.of(run));
    assertThat(withEnvoy.publishedFigures())
        .extracting(PublishedFigure::id)
        .containsExactly("kuma-no-data-plane-figures");
  }

  @Test
  void badEventLineNamesFileLineAndField() throws IOException {
    Path run = Fixtures.copyRun("golden", tmp);
    Files.writeString(
        run.resolve("events.jsonl"),
        "{\"t_ms\": 0, \"type\": \"phase\", \"name\": \"a\"}\n{\"t_ms\": 5, \"type\": \"boom\"}\n");
    assertThatThrownBy(() -> RunReport.generate(run))
        .isInstanceOf(ReportException.class)
        .hasMessageContaining("events.jsonl line 2: type must be fault_start, fault_end or phase");
    assertThat(run.resolve(RunReport.SUMMARY)).doesNotExist();
  }
}
