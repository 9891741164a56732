package dev.kumaforge.harness.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.chaos.experiment.Action;
import dev.kumaforge.chaos.experiment.Experiment;
import dev.kumaforge.chaos.experiment.Step;
import dev.kumaforge.load.scenario.PhaseType;
import dev.kumaforge.load.scenario.Workload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shipped experiments against the harness: what runs, what does not and why. */
class ChaosPlanTest {
  @TempDir Path dir;

  static Path root() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("chaos/experiments"))) {
        return p;
      }
    }
    throw new IllegalStateException("repository root not found");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "backend-kill",
        "brownout",
        "provider-429-storm",
        "mid-stream-cut",
        "reload-under-load",
        "partition",
        "redis-outage"
      })
  void shippedExperimentsCanRun(String name) {
    ChaosRun.Plan plan = ChaosRun.plan(root().resolve("chaos/experiments/" + name + ".yaml"));
    assertThat(plan.target().name()).isEqualTo("gateway");
    assertThat(plan.backends().providers()).hasSize(3);
    if (name.equals("brownout") || name.equals("partition")) {
      assertThat(plan.proxied()).containsExactly("backend-a");
    } else {
      assertThat(plan.proxied()).isEmpty();
    }
  }

  @Test
  void redisOutageRunsRedisForTheGatewayAndRedisStopNeedsAGatewayThatUsesRedis() throws Exception {
    assertThat(ChaosRun.plan(root().resolve("chaos/experiments/redis-outage.yaml")).redis())
        .isTrue();
    assertThat(ChaosRun.plan(root().resolve("chaos/experiments/backend-kill.yaml")).redis())
        .isFalse();
    String yaml =
        "name: bad\n"
            + "load: {scenario: "
            + root().resolve("load-scenarios/chaos-500.yaml")
            + "}\n"
            + "hypothesis:\n"
            + "  probes:\n"
            + "    - {name: errors, type: error-rate, max: 0.01}\n"
            + "method:\n"
            + "  - {at: 1s, duration: 1s, action: {type: redis-stop}}\n";
    Path f = dir.resolve("redis.yaml");
    Files.writeString(f, yaml);
    assertThatThrownBy(() -> ChaosRun.plan(f))
        .hasMessageContaining("redis-stop: the gateway config")
        .hasMessageContaining("has no redis section");
  }

  @Test
  void unknownProcessesAndPercentilesAreRejectedBeforeAnythingStarts() throws Exception {
    String yaml =
        "name: bad\n"
            + "load: {scenario: "
            + root().resolve("load-scenarios/chaos-500.yaml")
            + "}\n"
            + "hypothesis:\n"
            + "  probes:\n"
            + "    - {name: p50, type: latency, percentile: 50, maxLatency: 1s}\n"
            + "method:\n"
            + "  - {at: 1s, action: {type: kill, target: backend-z}}\n";
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, yaml);
    assertThatThrownBy(() -> ChaosRun.plan(f))
        .hasMessageContaining("no process named 'backend-z'")
        .hasMessageContaining("probe p50: percentile 50.0");
  }

  @Test
  void theLoadCoversTheWholeExperimentAfterAWarmUpAndARamp() {
    ChaosRun.Plan plan = ChaosRun.plan(root().resolve("chaos/experiments/backend-kill.yaml"));
    Duration d = ChaosRun.loadDuration(plan.experiment(), plan.scenario().workload());
    // settle (the 10s warm-up) + method end (40s) + recovery (5s) + interval (1s) + slack (3s)
    assertThat(d).isEqualTo(Duration.ofSeconds(59));
    Workload w = ChaosRun.stretched(plan.scenario().workload(), d);
    assertThat(w.phases()).hasSize(2);
    assertThat(w.phases().get(0).type()).isEqualTo(PhaseType.RAMP);
    assertThat(w.phases().get(0).startRate().perSecond()).isEqualTo(50.0);
    assertThat(w.phases().get(0).duration()).isEqualTo(Duration.ofSeconds(10));
    assertThat(w.phases().get(1).name()).isEqualTo("chaos");
    assertThat(w.phases().get(1).rate().perSecond()).isEqualTo(500.0);
    assertThat(w.phases().get(1).duration()).isEqualTo(d);
    assertThat(w.warmup()).isEqualTo(plan.scenario().workload().warmup());
    assertThat(w.request()).isEqualTo(plan.scenario().workload().request());
  }

  @Test
  void experimentUrlsPointAtTheBoundAddresses() {
    Experiment e =
        ChaosRun.plan(root().resolve("chaos/experiments/provider-429-storm.yaml")).experiment();
    Experiment r =
        ExperimentAddresses.rewrite(
            e, Map.of("127.0.0.1:18001", "127.0.0.1:40001", "127.0.0.1:8474", "127.0.0.1:40002"));
    Step storm = r.method().get(0);
    assertThat(storm.action().url()).isEqualTo("http://127.0.0.1:40001");
    assertThat(storm.action().api()).isEqualTo("http://127.0.0.1:40002");
    Action rollback = r.rollbacks().get(0);
    assertThat(rollback.url()).isEqualTo("http://127.0.0.1:40001/admin/faults");
    assertThat(
            ExperimentAddresses.url(
                "http://localhost:18001/x?y=1", Map.of("127.0.0.1:18001", "h:1")))
        .isEqualTo("http://h:1/x?y=1");
    assertThat(ExperimentAddresses.url("http://other:1/", Map.of())).isEqualTo("http://other:1/");
  }
}
