package dev.kumaforge.load.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.common.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keys of targets (TLS files, connection per request, JVM options): paths resolved against the
 * scenario, every error with its path.
 */
class TargetKeysTest {
  @TempDir Path dir;

  private Path scenario(String targets) throws IOException {
    Files.writeString(dir.resolve("backends.yaml"), "providers: []\n");
    Files.writeString(dir.resolve("gw.yaml"), "listeners: {}\n");
    return Files.writeString(
        dir.resolve("s.yaml"),
        """
        name: t
        backends: {config: backends.yaml}
        targets:
        %s
        workload:
          phases: [{name: a, rate: 10/s, duration: 1s}]
        """
            .formatted(targets));
  }

  @Test
  void everyProblemIsNamed() throws IOException {
    Path file =
        scenario(
            """
              - name: gw
                type: reference
                config: gw.yaml
                listenerTls: {certificate: s.pem, privateKey: s-key.pem}
              - name: ext
                type: external
                url: http://127.0.0.1:1
                tls: {caBundle: ca.pem}
              - name: ngx
                type: nginx
                config: gw.yaml
                tls: {certificate: client.pem}
                listenerTls: {certificate: missing.pem}
            """);
    assertThatThrownBy(() -> Scenario.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("targets[0].listenerTls: only for nginx and haproxy targets")
        .hasMessageContaining("targets[1].tls: set for an http:// url")
        .hasMessageContaining("targets[2].tls: certificate and privateKey go together")
        .hasMessageContaining("targets[2].listenerTls.privateKey: missing required key");
  }

  @Test
  void filesResolveAgainstTheScenarioFolderAndMustBeReadable() throws IOException {
    Path file =
        scenario(
            """
              - name: ngx
                type: nginx
                config: gw.yaml
                connectionPerRequest: true
                tls: {caBundle: certs/ca.pem}
            """);
    assertThatThrownBy(() -> Scenario.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "targets[0].tls.caBundle: " + dir.resolve("certs/ca.pem") + ": cannot read");
  }

  @Test
  void connectionPerRequestDefaultsToFalse() throws IOException {
    Scenario s = Scenario.load(scenario("  - {name: d, type: direct}\n"));
    assertThat(s.targets().get(0).connectionPerRequest()).isFalse();
    assertThat(s.targets().get(0).tls()).isNull();
  }

  @Test
  void jvmOptionsAreForReferenceTargetsOnlyAndEachIsOneOption() throws IOException {
    Path file =
        scenario(
            """
              - name: gw
                type: reference
                config: gw.yaml
                jvmOptions: ["-XX:+UseZGC", "-Xmx1g -Xms1g", "-jar", "Xmx1g"]
              - name: ngx
                type: nginx
                jvmOptions: ["-Xmx1g"]
            """);
    assertThatThrownBy(() -> Scenario.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("targets[0].jvmOptions[1]: ")
        .hasMessageContaining("targets[0].jvmOptions[2]: ")
        .hasMessageContaining("targets[0].jvmOptions[3]: ")
        .hasMessageContaining("one JVM option starting with '-'")
        .hasMessageContaining("targets[1].jvmOptions: only for reference targets")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("jvmOptions[0]"));
  }

  @Test
  void jvmOptionsDefaultToNoneAndKeepTheirOrder() throws IOException {
    Scenario s =
        Scenario.load(
            scenario(
                """
                  - {name: d, type: direct}
                  - {name: gw, type: reference, config: gw.yaml, jvmOptions: [-XX:+UseZGC, -Xmx1g]}
                """));
    assertThat(s.targets().get(0).jvmOptions()).isEmpty();
    assertThat(s.targets().get(1).jvmOptions()).containsExactly("-XX:+UseZGC", "-Xmx1g");
  }

  @Test
  void settleTakesItsDefaultsAndIsForReferenceTargetsOnly() throws IOException {
    Scenario s =
        Scenario.load(
            scenario(
                """
                  - {name: d, type: direct}
                  - {name: gw, type: reference, config: gw.yaml, settle: {}}
                  - {name: gw2, type: reference, config: gw.yaml, settle: {round: 5s, quiet: 2%}}
                """));
    assertThat(s.targets().get(0).settle()).isNull();
    JitSettle defaults = s.targets().get(1).settle();
    assertThat(defaults.round()).isEqualTo(java.time.Duration.ofSeconds(10));
    assertThat(defaults.quiet().value()).isEqualTo(0.01);
    assertThat(defaults.max()).isEqualTo(java.time.Duration.ofSeconds(180));
    assertThat(s.targets().get(2).settle().round()).isEqualTo(java.time.Duration.ofSeconds(5));
    assertThat(s.targets().get(2).settle().quiet().value()).isEqualTo(0.02);

    Path bad =
        scenario(
            """
              - name: gw
                type: reference
                config: gw.yaml
                settle: {round: 1s, quiet: 0%, max: 500ms}
              - name: ngx
                type: nginx
                settle: {}
              - name: gw3
                type: reference
                config: gw.yaml
                settle: {quiet: 60%}
            """);
    assertThatThrownBy(() -> Scenario.load(bad))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("targets[0].settle.round: ")
        .hasMessageContaining(">= 2s")
        .hasMessageContaining("targets[0].settle.quiet: ")
        .hasMessageContaining("targets[0].settle.max: ")
        .hasMessageContaining("targets[1].settle: only for reference targets")
        .hasMessageContaining("targets[2].settle.quiet: ");
  }
}
