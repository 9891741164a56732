package dev.kumaforge.backends;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.common.files.ReadyFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendsMainIT {
  @Test
  void startsWithEphemeralPortsAndAnnounces(@TempDir Path dir) {
    Path ready = dir.resolve("ready.json");
    BackendsMain.Options options =
        BackendsMain.Options.parse(
            new String[] {
              "--config",
              "examples/providers.yaml",
              "--ephemeral-ports",
              "--ready-file",
              ready.toString()
            });
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MockBackends b =
        BackendsMain.start(options, new PrintStream(out, true, StandardCharsets.UTF_8))) {
      Map<String, String> file = ReadyFile.read(ready);
      assertThat(file).isEqualTo(b.listeners()).containsOnlyKeys("openai", "anthropic");
      String text = out.toString(StandardCharsets.UTF_8);
      assertThat(text).contains("READY openai " + b.listeners().get("openai"));
      assertThat(text).contains("READY anthropic " + b.listeners().get("anthropic"));
      assertThat(Http.get(file.get("anthropic") + "/health/ready").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aBusyPortIsReportedWithTheProviderName() {
    String yaml = "providers:\n  - {name: first, listen: 127.0.0.1:0, models: [{name: m}]}\n";
    try (MockBackends a =
        MockBackends.start(dev.kumaforge.backends.config.BackendsConfig.parse(yaml, "a"))) {
      String port = a.listeners().get("first").replaceAll(".*:", "");
      String taken = yaml.replace("first", "second").replace("127.0.0.1:0", "127.0.0.1:" + port);
      assertThatThrownBy(
              () ->
                  MockBackends.start(
                      dev.kumaforge.backends.config.BackendsConfig.parse(taken, "b")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("provider 'second': cannot listen on 127.0.0.1:" + port);
    }
  }

  @Test
  void badArgumentsAreNamed() {
    assertThatThrownBy(() -> BackendsMain.Options.parse(new String[] {"--nope"}))
        .hasMessageContaining("unknown option '--nope'");
    assertThatThrownBy(() -> BackendsMain.Options.parse(new String[] {}))
        .hasMessageContaining("--config");
    assertThatThrownBy(() -> BackendsMain.Options.parse(new String[] {"--config"}))
        .hasMessageContaining("needs a value");
  }
}
