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

  /** The shipped quickstart, shortened: same targets and request, fewer seconds. */
  private static String shortQuickstart() throws java.io.IOException {
    return Files.readString(QuickstartFiles.quickstart())
        .replace("../", QuickstartFiles.root() + "/")
        .replaceFirst("warmup: [^\\n]+", "warmup: 2s")
        .replaceFirst("duration: [^\\n]+", "duration: 4s")
        // This test checks the path end to end, not timing precision (the load engine's own
        // tests do): tolerate generator lag on a shared CI machine.
        .replaceFirst("  timeout: [^\\n]+", "  timeout: 5s\n  maxLag: 200ms")
        .replaceFirst("latency: \\{[^}]+}", "latency: {p99: 5s}");
  }

  /** Runs {@code forge run} on {@code yaml} through the shaded jar; returns its output. */
  private String forgeRun(String yaml, Path out) throws Exception {
    Path jar = QuickstartFiles.root().resolve("harness/target/forge.jar");
    assertThat(jar).as("forge.jar is built in the package phase").exists();
    Path scenario = dir.resolve("short.yaml");
    Files.writeString(scenario, yaml);
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
    return output;
  }

  @Test
  void quickstartShapedRunWritesACompleteRunFolder() throws Exception {
    String yaml =
        shortQuickstart()
            // targets and backends share the last CPU (taskset), the generator is not pinned
            + "cpus: {targets: \""
            + lastCpu()
            + "\", backends: \""
            + lastCpu()
            + "\"}\n";
    Path out = dir.resolve("run");
    String output = forgeRun(yaml, out);

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

  @Test
  void aReferenceTargetWithSettleRunsRoundsUntilItsJitIsQuiet() throws Exception {
    // 2 s rounds after the 2 s warm-up, at most 3 of them; quiet below 5% of a core
    String yaml =
        shortQuickstart()
            .replace(
                "config: " + QuickstartFiles.root() + "/reference-gateway/examples/quickstart.yaml",
                "config: "
                    + QuickstartFiles.root()
                    + "/reference-gateway/examples/quickstart.yaml\n"
                    + "    settle: {round: 2s, quiet: 5%, max: 6s}");
    assertThat(yaml).contains("settle: {round: 2s");
    Path out = dir.resolve("run");
    String output = forgeRun(yaml, out);

    ObjectMapper json = new ObjectMapper();
    JsonNode ref = json.readTree(out.resolve("targets/reference/trial-1/result.json").toFile());
    JsonNode settle = ref.path("jit_settle");
    int rounds = settle.path("rounds").asInt();
    JsonNode shares = settle.path("compiler_cores_per_round");
    assertThat(rounds).as(settle.toString()).isBetween(1, 3);
    assertThat(shares).hasSize(rounds);
    // it stops at the first quiet round, or after max (3 rounds) without one
    for (int i = 0; i < rounds - 1; i++) {
      assertThat(shares.get(i).asDouble()).as(settle.toString()).isGreaterThanOrEqualTo(0.05);
    }
    double last = shares.get(rounds - 1).asDouble();
    if (settle.path("settled").asBoolean()) {
      assertThat(last).as(settle.toString()).isLessThan(0.05);
      assertThat(output).contains("reference trial 1: JIT settled after " + rounds + " round");
    } else {
      assertThat(rounds).as(settle.toString()).isEqualTo(3);
      assertThat(last).as(settle.toString()).isGreaterThanOrEqualTo(0.05);
      assertThat(output).contains("reference trial 1: JIT NOT settled after 3 rounds");
    }
    // the first round came after the workload's warm-up: at least 2 s + 2 s per round
    assertThat(settle.path("load_s").asDouble()).isGreaterThanOrEqualTo(2.0 + 2.0 * rounds);
    // a fresh gateway JVM under load compiles: its first round is not quiet at 0.1%
    assertThat(shares.get(0).asDouble()).as(settle.toString()).isGreaterThan(0.001);
    // while measured the JIT's share is reported for the JVM target, not for direct
    assertThat(ref.at("/target_process/jit_cpu_cores").isNumber()).as(ref.toString()).isTrue();
    assertThat(output).contains("(JIT compiler ");
    JsonNode direct = json.readTree(out.resolve("targets/direct/trial-1/result.json").toFile());
    assertThat(direct.has("jit_settle")).isFalse();
    assertThat(direct.at("/target_process/jit_cpu_cores").isMissingNode()).isTrue();
    // the rounds' load is not part of the run folder
    try (Stream<Path> all = Files.walk(out)) {
      assertThat(all.map(Path::toString)).noneMatch(n -> n.contains("settle-"));
    }
  }
}
