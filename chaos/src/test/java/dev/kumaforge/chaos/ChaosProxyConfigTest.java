package dev.kumaforge.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.common.config.ConfigException;
import dev.kumaforge.common.config.YamlConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ChaosProxyConfigTest {
  @Test
  void referenceYamlIsAValidConfig() {
    ChaosProxyConfig c = ChaosProxyConfig.load(Path.of("reference.yaml"));
    assertThat(c.api()).isEqualTo("127.0.0.1:8474");
    assertThat(c.proxies()).hasSize(2);
    assertThat(c.proxies().get(1).isEnabled()).isFalse();
    ChaosProxyConfig e = c.withEphemeralPorts();
    assertThat(e.api()).isEqualTo("127.0.0.1:0");
    assertThat(e.proxies()).allMatch(p -> p.listen().equals("127.0.0.1:0"));
  }

  @Test
  void defaultsApply() {
    ChaosProxyConfig c = YamlConfig.parse("proxies: []\n", "t.yaml", ChaosProxyConfig.class);
    assertThat(c.api()).isEqualTo(ChaosProxyConfig.DEFAULT_API);
    assertThat(c.seed()).isEqualTo(1L);
    assertThat(c.threads()).isPositive();
  }

  @Test
  void errorsNameTheYamlPath() {
    String yaml =
        """
        api: localhost
        proxies:
          - name: a
            upstream: 127.0.0.1:0
          - name: a
            upstream: 127.0.0.1:80
            listen: 127.0.0.1:70000
          - upstream: 127.0.0.1:80
        """;
    assertThatThrownBy(() -> YamlConfig.parse(yaml, "t.yaml", ChaosProxyConfig.class))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("api: 'localhost'")
        .hasMessageContaining("proxies[0].upstream: '127.0.0.1:0'")
        .hasMessageContaining("proxies[1].name: duplicate proxy name 'a'")
        .hasMessageContaining("proxies[1].listen")
        .hasMessageContaining("proxies[2].name: missing required key");
    assertThatThrownBy(
            () ->
                YamlConfig.parse(
                    "proxies:\n  - name: a\n    upstrem: x\n", "t.yaml", ChaosProxyConfig.class))
        .hasMessageContaining("unknown key");
    assertThatThrownBy(() -> ChaosProxyConfig.defaults().withApi("nohost"))
        .hasMessageContaining("--api");
  }
}
