package dev.kumaforge.harness.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kumaforge.harness.Forge;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code forge chaos} end to end against real processes: three mock backend processes, the
 * reference gateway, the in-process chaos proxy and open-loop load; a short experiment kills one
 * backend with kill -9 and restarts it, slows another through a toxic, and reloads the gateway.
 */
class ChaosRunIT {
  @TempDir Path dir;

  @Test
  void aShortExperimentRunsEndToEnd() throws Exception {
    String scenario =
        chaos500()
            .replaceFirst("warmup: [^\\n]+", "warmup: 2s")
            .replaceFirst("rate: 500/s", "rate: 100/s")
            // End to end, not timing precision: tolerate lag on a shared machine.
            .replaceFirst("maxLag: [^\\n]+", "maxLag: 1s");
    Files.writeString(dir.resolve("load.yaml"), scenario);
    Files.writeString(
        dir.resolve("short.yaml"),
        "name: short\n"
            + "load: {scenario: load.yaml}\n"
            + "hypothesis:\n"
            + "  probes:\n"
            + "    - {name: client-errors, type: error-rate, window: 2s, max: 0.2}\n"
            + "    - {name: gateway-live, type: http, url: 'http://127.0.0.1:18081/live'}\n"
            + "method:\n"
            + "  - {name: kill-a, at: 1s, duration: 2s,"
            + " action: {type: kill, target: backend-a, signal: KILL}}\n"
            + "  - {name: slow-b, at: 1s, duration: 2s, action: {type: toxic, proxy: backend-b,"
            + " toxic: {type: latency, attributes: {latency: 50}}}}\n"
            + "  - {name: reload, at: 2s, action: {type: gateway-reload}}\n"
            + "recovery: 3s\n"
            + "rollbacks:\n"
            + "  - {type: restart, target: backend-a}\n"
            + "  - {type: proxy-reset}\n");
    Path out = dir.resolve("run");

    int code =
        Forge.execute("chaos", dir.resolve("short.yaml").toString(), "--out", out.toString());

    assertThat(out).isDirectory();
    String md = Files.readString(out.resolve(ChaosResult.MARKDOWN_FILE));
    assertThat(code).as(md).isZero();
    JsonNode result = new ObjectMapper().readTree(out.resolve(ChaosResult.JSON_FILE).toFile());
    assertThat(result.path("outcome").asText()).isEqualTo("passed");
    assertThat(result.path("load").path("open_loop_valid").asBoolean()).isTrue();
    Map<String, JsonNode> steps =
        toMap(result.path("steps").findParents("step"), s -> s.path("step").asText());
    JsonNode kill = steps.get("kill-a");
    assertThat(kill.path("onset_ms").isNumber()).as(md).isTrue();
    assertThat(kill.path("client_requests").asLong()).isPositive();
    assertThat(kill.path("retry_amplification").isNumber()).isTrue();
    assertThat(steps.get("reload").path("onset_evidence").asText())
        .contains("gateway config version");
    assertThat(steps.get("slow-b").path("start_ms").isNumber()).isTrue();
    List<String> kinds =
        Files.readAllLines(out.resolve("events.jsonl")).stream().map(l -> readKind(l)).toList();
    assertThat(kinds)
        .contains("experiment-start", "step-start", "step-stop", "rollback", "verdict");
    // backend-a was killed and started again on the same port: two READY lines in its log.
    long ready =
        Files.readAllLines(out.resolve("backends/backend-a.log")).stream()
            .filter(l -> l.startsWith("READY"))
            .count();
    assertThat(ready).isEqualTo(2);
    assertThat(out.resolve("load/result.json")).exists();
  }

  @Test
  void theGatewayStartsWithItsTargetsJvmOptions() throws Exception {
    // A heap the JVM refuses: if chaos ignored jvmOptions the gateway would start normally.
    String scenario =
        chaos500()
            .replace(
                "/chaos/config/gateway-3.yaml\n",
                "/chaos/config/gateway-3.yaml\n    jvmOptions: [-Xmx1k]\n");
    assertThat(scenario).contains("jvmOptions: [-Xmx1k]");
    Files.writeString(dir.resolve("load.yaml"), scenario);
    Files.writeString(
        dir.resolve("jvm.yaml"),
        "name: jvm\n"
            + "load: {scenario: load.yaml}\n"
            + "hypothesis:\n"
            + "  probes:\n"
            + "    - {name: gateway-live, type: http, url: 'http://127.0.0.1:18081/live'}\n"
            + "method:\n"
            + "  - {name: reload, at: 1s, action: {type: gateway-reload}}\n"
            + "recovery: 1s\n");
    Path out = dir.resolve("run");

    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cl = Forge.commandLine();
    cl.setErr(new java.io.PrintWriter(err));

    int code = cl.execute("chaos", dir.resolve("jvm.yaml").toString(), "--out", out.toString());

    assertThat(code).as(err.toString()).isNotZero();
    assertThat(err.toString()).contains("gateway").contains("heap");
  }

  /** The shipped chaos load, {@code load-scenarios/chaos-500.yaml}, with absolute paths. */
  private static String chaos500() throws java.io.IOException {
    Path root = ChaosPlanTest.root();
    return Files.readString(root.resolve("load-scenarios/chaos-500.yaml"))
        .replace("../", root + "/");
  }

  private static String readKind(String line) {
    try {
      return new ObjectMapper().readTree(line).path("kind").asText();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Map<String, JsonNode> toMap(
      List<JsonNode> nodes, java.util.function.Function<JsonNode, String> key) {
    return nodes.stream().collect(Collectors.toMap(key, n -> n));
  }
}
