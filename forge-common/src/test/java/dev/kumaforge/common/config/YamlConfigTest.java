package dev.kumaforge.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.common.units.Rate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YamlConfigTest {
  enum Kind {
    constant,
    ramp
  }

  record Phase(String name, Kind type, Rate rate, Duration duration) {}

  record Workload(Duration warmup, List<Phase> phases) implements Validatable {
    @Override
    public void validate(Validator v) {
      v.each(
          "phases",
          phases,
          (pv, p) ->
              pv.check(p.rate() != null && p.rate().perSecond() > 0, "rate", p.rate(), "> 0"));
    }
  }

  record Doc(String name, Integer trials, Workload workload) implements Validatable {
    @Override
    public void validate(Validator v) {
      v.required(name, "name");
      v.check(trials == null || trials > 0, "trials", trials, "> 0");
      if (workload != null) {
        workload.validate(v.at("workload"));
      }
    }
  }

  private static ConfigException error(String yaml) {
    try {
      YamlConfig.parse(yaml, "test.yaml", Doc.class);
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("expected a ConfigException for:\n" + yaml);
  }

  @Test
  void bindsUnitsAndRecords() {
    Doc doc =
        YamlConfig.parse(
            """
            name: quick
            trials: 2
            workload:
              warmup: 1.5s
              phases:
                - {name: a, type: constant, rate: 200/s, duration: 10s}
                - {name: b, type: ramp, rate: 1.5k/s, duration: 2m}
            """,
            "test.yaml",
            Doc.class);
    assertThat(doc.workload().warmup()).isEqualTo(Duration.ofMillis(1500));
    assertThat(doc.workload().phases().get(1).rate().perSecond()).isEqualTo(1500.0);
    assertThat(doc.workload().phases().get(1).duration()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void unitsSerializeAsTheyAreWritten() throws Exception {
    Doc doc =
        YamlConfig.parse(
            "name: q\nworkload:\n  warmup: 1.5s\n  phases: [{name: a, rate: 200/s, duration: 2m}]\n",
            "test.yaml",
            Doc.class);
    String json = YamlConfig.jsonMapper().writeValueAsString(doc.workload());
    assertThat(json).contains("\"warmup\":\"1.5s\"").contains("\"rate\":\"200/s\"");
    assertThat(json).contains("\"duration\":\"2m\"");
  }

  @Test
  void unknownKeyNamesPathAndExpectedKeys() {
    ConfigException e =
        error("name: q\nworkload:\n  phases:\n    - {name: a, type: constant, rat: 5}\n");
    assertThat(e.errors()).hasSize(1);
    assertThat(e.errors().get(0).path()).isEqualTo("workload.phases[0].rat");
    assertThat(e.getMessage()).contains("unknown key").contains("rate").contains("test.yaml");
  }

  @Test
  void wrongTypeNamesPath() {
    ConfigException e =
        error(
            "name: q\nworkload:\n  phases:\n    - {name: a, rate: 5}\n    - {name: b, rate: fast}\n");
    assertThat(e.errors().get(0).path()).isEqualTo("workload.phases[1].rate");
    assertThat(e.errors().get(0).message()).contains("'fast'").contains("expected: a rate");
  }

  @Test
  void durationWithoutUnitIsRejected() {
    ConfigException e = error("name: q\nworkload:\n  warmup: 5\n");
    assertThat(e.errors().get(0).path()).isEqualTo("workload.warmup");
    assertThat(e.errors().get(0).message()).contains("expected: a duration");
  }

  @Test
  void enumErrorListsChoices() {
    ConfigException e = error("name: q\nworkload:\n  phases:\n    - {type: zigzag}\n");
    assertThat(e.errors().get(0).path()).isEqualTo("workload.phases[0].type");
    assertThat(e.errors().get(0).message())
        .contains("zigzag")
        .contains("constant")
        .contains("ramp");
  }

  @Test
  void validationCollectsEveryError() {
    ConfigException e =
        error(
            "trials: 0\nworkload:\n  phases:\n    - {name: a, rate: 5}\n    - {name: b, rate: 0}\n");
    assertThat(e.errors())
        .extracting(ConfigError::toString)
        .containsExactly(
            "name: missing required key",
            "trials: 0 (expected: > 0)",
            "workload.phases[1].rate: 0/s (expected: > 0)");
  }

  @Test
  void malformedYamlNamesLineAndColumn() {
    ConfigException e = error("name: q\nworkload:\n  phases: [a, b\n  warmup: 1s\n");
    assertThat(e.getMessage()).containsPattern("line \\d+, column \\d+");
  }

  @Test
  void duplicateKeysAreRejected() {
    ConfigException e = error("name: q\nname: r\n");
    assertThat(e.getMessage()).containsIgnoringCase("duplicate");
  }

  @Test
  void tagsAndExpressionsAreNeverEvaluated() {
    assertThat(error("name: !!java.io.File /etc/passwd\n").getMessage())
        .contains("line 1, column 7")
        .contains("tags");
    assertThat(error("name: ${env:HOME}\n").getMessage()).contains("expressions");
    assertThat(error("name: \"#{7*7}\"\n").getMessage()).contains("expressions");
  }

  @Test
  void emptyAndNonMappingDocumentsAreRejected() {
    assertThat(error("").getMessage()).contains("empty");
    assertThat(error("- a\n- b\n").getMessage()).contains("list").contains("mapping");
  }

  @Test
  void missingFileIsReported(@TempDir Path dir) {
    assertThatThrownBy(() -> YamlConfig.load(dir.resolve("nope.yaml"), Doc.class))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("nope.yaml")
        .hasMessageContaining("file not found");
  }

  @Test
  void loadsFromFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("ok.yaml");
    Files.writeString(f, "name: fine\n");
    assertThat(YamlConfig.load(f, Doc.class).name()).isEqualTo("fine");
  }
}
