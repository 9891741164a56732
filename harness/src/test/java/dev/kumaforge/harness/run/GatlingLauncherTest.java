package dev.kumaforge.harness.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.load.engine.LoadResult;
import dev.kumaforge.load.gatling.GatlingRun;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatlingLauncherTest {
  @TempDir Path dir;

  @Test
  void commandForksGatlingOnThisClassPathWithTheScenarioProperties() {
    List<String> cmd =
        GatlingLauncher.command(
            Map.of(GatlingRun.SCENARIO_PROPERTY, "/x/scenario.json"), dir, "demo direct trial 1");
    assertThat(cmd.get(0)).endsWith("/bin/java");
    assertThat(cmd)
        .contains("-D" + GatlingRun.SCENARIO_PROPERTY + "=/x/scenario.json")
        .contains("--add-opens=java.base/java.lang=ALL-UNNAMED")
        .containsSubsequence("-cp", System.getProperty("java.class.path"))
        .containsSubsequence(
            GatlingRun.GATLING_MAIN, "--simulation", "dev.kumaforge.load.gatling.ForgeSimulation")
        .containsSubsequence("--results-folder", dir.toAbsolutePath().toString());
  }

  @Test
  void resultJsonReadsBackIntoTheSameResult() {
    LoadResult r =
        new LoadResult(
            "direct",
            2,
            Instant.parse("2026-01-02T03:04:05.123Z"),
            3.0,
            20.0,
            60,
            59,
            57,
            2,
            Map.of("status_503", 1L, "timeout", 1L),
            19.667,
            new LoadResult.Lag(1, 2, 3, 4),
            new LoadResult.SpinWindow(180, 95, 230),
            0,
            new LoadResult.Connections(3, 1),
            false,
            "1 measured requests never finished");
    Path file = dir.resolve("result.json");
    AtomicFiles.writeString(file, r.toJson());
    assertThat(GatlingLauncher.readResult(file)).isEqualTo(r);
  }
}
