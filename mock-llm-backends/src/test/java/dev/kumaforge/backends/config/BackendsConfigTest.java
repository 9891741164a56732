package dev.kumaforge.backends.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.common.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackendsConfigTest {

  @Test
  void loadsQuickstart() {
    BackendsConfig c = BackendsConfig.load(Path.of("examples/quickstart.yaml"));
    assertThat(c.providers()).hasSize(1);
    ProviderConfig p = c.providers().get(0);
    assertThat(p.name()).isEqualTo("openai");
    assertThat(p.listen()).isEqualTo("127.0.0.1:18001");
    assertThat(p.style()).isEqualTo(ProviderStyle.OPENAI);
    ModelConfig m = p.model("gpt-4o-mini").orElseThrow();
    assertThat(m.latency().prefillOverhead()).isEqualTo(Duration.ofMillis(5));
    assertThat(m.price().cost(1_000_000, 1_000_000)).isEqualTo(0.75);
  }

  @Test
  void loadsProvidersAndReference() {
    BackendsConfig c = BackendsConfig.load(Path.of("examples/providers.yaml"));
    assertThat(c.providers())
        .extracting(ProviderConfig::name)
        .containsExactly("openai", "anthropic");
    assertThat(c.provider("anthropic").orElseThrow().style()).isEqualTo(ProviderStyle.ANTHROPIC);
    assertThat(c.provider("openai").orElseThrow().model("gpt-4o")).isPresent();
    assertThat(c.provider("anthropic").orElseThrow().model("claude-sonnet-4-5")).isPresent();
    BackendsConfig ref = BackendsConfig.load(Path.of("src/main/resources/reference.yaml"));
    assertThat(ref.providers()).isNotEmpty();
  }

  @Test
  void ephemeralPortsKeepEverythingElse() {
    BackendsConfig c = BackendsConfig.load(Path.of("examples/providers.yaml"));
    BackendsConfig e = c.withEphemeralPorts();
    assertThat(e.providers())
        .extracting(ProviderConfig::listen)
        .containsExactly("127.0.0.1:0", "127.0.0.1:0");
    assertThat(e.providers().get(1).models()).isEqualTo(c.providers().get(1).models());
    assertThat(e.seed()).isEqualTo(c.seed());
  }

  @Test
  void errorsNameTheYamlPath() {
    String yaml =
        """
        providers:
          - name: openai
            listen: 127.0.0.1:nope
            models:
              - name: m
                encoding: nope
                latency: {prefillSpread: -1}
                output: {tokens: 0}
          - name: openai
            style: grpc
            listen: 127.0.0.1:1
            models: []
        """;
    assertThatThrownBy(() -> BackendsConfig.parse(yaml, "x.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("providers[1].style: 'grpc'");
    assertThatThrownBy(
            () ->
                BackendsConfig.parse(
                    yaml.replace("{prefillSpread: -1}", "{interToken: -5ms}"), "x"))
        .hasMessageContaining("providers[0].models[0].latency.interToken: '-5ms'");
    String yaml2 = yaml.replace("style: grpc", "style: anthropic");
    assertThatThrownBy(() -> BackendsConfig.parse(yaml2, "x.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("providers[0].listen")
        .hasMessageContaining("providers[0].models[0].encoding")
        .hasMessageContaining("providers[0].models[0].latency.prefillSpread")
        .hasMessageContaining("providers[0].models[0].output.tokens")
        .hasMessageContaining("providers[1].name: duplicate provider name 'openai'")
        .hasMessageContaining("providers[1].models");
  }

  @Test
  void unknownKeysAreRejected() {
    String yaml =
        """
        providers:
          - name: openai
            listen: 127.0.0.1:0
            modles: []
        """;
    assertThatThrownBy(() -> BackendsConfig.parse(yaml, "x.yaml"))
        .hasMessageContaining("providers[0].modles: unknown key");
  }
}
