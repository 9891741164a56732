package dev.kumaforge.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kumaforge.common.hdr.HlogTags;
import dev.kumaforge.common.hdr.Hlogs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job end to end, through the shaded {@code forge.jar} exactly as a user runs it: mock
 * backend and reference gateway as their own processes, open-loop load, run folder, reports.
 */
class ForgeRunIT {
  @TempDir Path dir;

  private static String lastCpu() {
    return Integer.toString(Runtime.getRuntime().availableProcessors() - 1);
  }

  @Test
  void quickstartShapedRunWritesACompleteRunFolder() throws Exception {
    Path jar = QuickstartFiles.root().resolve("harness/target/forge.jar");
    assertThat(jar).as("forge.jar is built in the package phase").exists();
    // The shipped quickstart, shortened: same targets and request, fewer seconds.
    String yaml =
        Files.readString(QuickstartFiles.quickstart())
                .replace("../", QuickstartFiles.root() + "/")
                .replaceFirst("warmup: [^\\n]+", "warmup: 2s")
                .replaceFirst("duration: [^\\n]+", "duration: 4s")
                // This test checks the path end to end, not timing precision (the load engine's own
                // tests do): tolerate generator lag on a shared CI machine.
                .replaceFirst("  timeout: [^\\n]+", "  timeout: 5s\n  maxLag: 200ms")
                .replaceFirst("latency: \\{[^}]+}", "latency: {p99: 5s}")
            // targets and backends share the last CPU (taskset), the generator is not pinned
            + "cpus: {targets: \""
            + lastCpu()
            + "\", backends: \""
            + lastCpu()
            + "\"}\n";
    Path scenario = dir.resolve("short.yaml");
    Files.writeString(scenario, yaml);
    Path out = dir.resolve("run");

    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx1g", "-jar", jar.toString(), "run", scenario.toString()));
    cmd.addAll(List.of("--out", out.toString()));
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("forge.out").toFile())
            .start();
    boolean finished = p.waitFor(3, TimeUnit.MINUTES);
    String output = Files.readString(dir.resolve("forge.out"), StandardCharsets.UTF_8);
    if (!finished) {
      p.destroyForcibly();
    }
    assertThat(finished).as("forge run finished; output:\n" + output).isTrue();
    assertThat(p.exitValue()).as("exit code; output:\n" + output).isZero();

    // The printed table names both targets and the added latency.
    assertThat(output).contains("direct").contains("reference").containsIgnoringCase("added");

    // A complete run folder, no leftovers.
    for (String f :
        List.of(
            "manifest.json",
            "scenario.yaml",
            "summary.json",
            "report.md",
            "report.html",
            "junit.xml",
            "backends/backends.log",
            "targets/reference/gateway.yaml",
            "targets/reference/trial-1/latency.hlog",
            "targets/reference/trial-1/result.json",
            "targets/reference/trial-1/process.csv",
            "targets/direct/trial-1/latency.hlog",
            "targets/direct/trial-1/result.json")) {
      assertThat(out.resolve(f)).as(f).exists();
    }
    assertThat(dir.resolve("run.partial")).doesNotExist();
    try (Stream<Path> all = Files.walk(out)) {
      assertThat(all.map(Path::toString)).noneMatch(n -> n.endsWith(".tmp"));
    }

    ObjectMapper json = new ObjectMapper();
    JsonNode manifest = json.readTree(out.resolve("manifest.json").toFile());
    assertThat(manifest.path("machine").path("cores").asInt()).isPositive();
    assertThat(manifest.path("scenario").asText()).isEqualTo("quickstart");
    assertThat(manifest.path("cpus").path("targets").asText()).isEqualTo(lastCpu());
    assertThat(manifest.path("machine").path("cpu_pinning").asText())
        .isEqualTo("load not pinned, targets " + lastCpu() + ", backends " + lastCpu());

    JsonNode summary = json.readTree(out.resolve("summary.json").toFile());
    assertThat(summary.path("schema_version").asInt()).isPositive();
    assertThat(summary.path("scenario").asText()).isEqualTo("quickstart");
    assertThat(summary.path("started_at").asText()).isNotBlank();
    assertThat(summary.path("targets")).hasSize(2);
    for (JsonNode t : summary.path("targets")) {
      assertThat(t.path("requests").asLong()).as("requests of " + t).isGreaterThan(100);
      assertThat(t.path("errors").asLong()).as("errors of " + t).isZero();
      assertThat(t.path("throughput_rps").asDouble()).isPositive();
      JsonNode lat = t.path("latency_us");
      assertThat(lat.path("p50").asDouble()).isPositive();
      assertThat(lat.path("p99").asDouble()).isGreaterThanOrEqualTo(lat.path("p50").asDouble());
      assertThat(lat.path("p999").asDouble()).isGreaterThanOrEqualTo(lat.path("p99").asDouble());
      assertThat(lat.path("max").asDouble()).isGreaterThanOrEqualTo(lat.path("p999").asDouble());
      // The summary's request count is what the .hlog holds: nothing invented, nothing lost.
      Path hlog = out.resolve("targets/" + t.path("name").asText() + "/trial-1/latency.hlog");
      Histogram ok = Hlogs.totals(hlog).get(HlogTags.LATENCY);
      assertThat(ok.getTotalCount()).isEqualTo(t.path("requests").asLong());
    }
    // The quickstart backend answers after a fixed 5 ms: a floor for every request, either path.
    for (JsonNode t : summary.path("targets")) {
      assertThat(t.at("/latency_us/p50").asDouble()).as("p50 of " + t).isGreaterThanOrEqualTo(5000);
    }
    String html = Files.readString(out.resolve("report.html"));
    assertThat(html).contains("<svg").doesNotContain("src=\"http");
  }
}
