package dev.kumaforge.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.common.config.ConfigException;
import dev.kumaforge.common.config.YamlConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ExperimentModelTest {
  @Test
  void everyShippedExperimentLoads() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of("experiments"))) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files.stream().map(p -> p.getFileName().toString()))
        .contains(
            "backend-kill.yaml",
            "brownout.yaml",
            "provider-429-storm.yaml",
            "mid-stream-cut.yaml",
            "redis-outage.yaml",
            "reload-under-load.yaml",
            "partition.yaml");
    for (Path f : files) {
      Experiment e = Experiment.load(f);
      assertThat(e.name() + ".yaml").isEqualTo(f.getFileName().toString());
      assertThat(e.method()).isNotEmpty();
    }
  }

  @Test
  void theReferenceBlockIsACompleteValidExperiment() throws IOException {
    String text = Files.readString(Path.of("reference.yaml"));
    String block =
        text.substring(
            text.indexOf("# --- experiment reference begin ---\n")
                + "# --- experiment reference begin ---\n".length(),
            text.indexOf("# --- experiment reference end ---"));
    String yaml =
        block
            .lines()
            .map(l -> l.startsWith("# ") ? l.substring(2) : l.substring(1))
            .collect(Collectors.joining("\n"));
    Experiment e = YamlConfig.parse(yaml, "reference.yaml", Experiment.class);
    assertThat(e.hypothesis().probes()).hasSize(4);
    assertThat(e.method()).hasSize(4);
    assertThat(e.methodEnd()).isEqualTo(Duration.ofSeconds(95));
    assertThat(e.method().get(0).action().toxic().attributes()).containsEntry("latency", 2000L);
  }

  @Test
  void errorsNameTheYamlPath() {
    String yaml =
        """
        name: bad
        hypothesis:
          probes:
            - name: p
              type: latency
            - name: p
              type: error-rate
              max: 2
        method:
          - at: 0s
            action: {type: toxic, toxic: {stream: sideways}}
          - at: 1s
            action: {type: explode}
        """;
    assertThatThrownBy(() -> YamlConfig.parse(yaml, "bad.yaml", Experiment.class))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("method[1].action.type");
    assertThatThrownBy(
            () -> YamlConfig.parse(yaml.replace("at: 0s", "at: -1s"), "bad.yaml", Experiment.class))
        .hasMessageContaining("method[0].at: '-1s'");
    String yaml2 = yaml.replace("{type: explode}", "{type: kill}");
    assertThatThrownBy(() -> YamlConfig.parse(yaml2, "bad.yaml", Experiment.class))
        .hasMessageContaining("hypothesis.probes[0].maxLatency: missing required key")
        .hasMessageContaining("hypothesis.probes[1].name: duplicate probe name 'p'")
        .hasMessageContaining("hypothesis.probes[1].max: 2.0 (expected: a ratio 0 to 1)")
        .hasMessageContaining("method[0].action.proxy: missing required key")
        .hasMessageContaining("method[0].action.toxic.type: missing required key")
        .hasMessageContaining("method[0].action.toxic.stream: 'sideways'")
        .hasMessageContaining("method[1].action.target: missing required key");
  }
}
