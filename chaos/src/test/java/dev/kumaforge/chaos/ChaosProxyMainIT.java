package dev.kumaforge.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.common.files.ReadyFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChaosProxyMainIT {
  @TempDir Path dir;

  @Test
  void startsFromConfigAndAnnouncesListeners() throws Exception {
    Path config = dir.resolve("chaos.yaml");
    Files.writeString(
        config,
        """
        proxies:
          - name: backend
            listen: 127.0.0.1:0
            upstream: 127.0.0.1:9
          - name: off
            upstream: 127.0.0.1:9
            enabled: false
        """);
    Path ready = dir.resolve("ready.json");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ChaosProxyMain.Options options =
        ChaosProxyMain.Options.parse(
            new String[] {
              "--api",
              "127.0.0.1:0",
              "--config",
              config.toString(),
              "--ready-file",
              ready.toString()
            });
    try (ChaosProxy proxy =
        ChaosProxyMain.start(options, new PrintStream(out, true, StandardCharsets.UTF_8))) {
      Map<String, String> announced = ReadyFile.read(ready);
      assertThat(announced).containsOnlyKeys("api", "backend");
      assertThat(announced.get("api")).isEqualTo(proxy.apiUrl());
      assertThat(announced.get("backend")).startsWith("tcp://127.0.0.1:");
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("READY backend tcp://127.0.0.1:");
    }
    assertThatThrownBy(() -> ChaosProxyMain.Options.parse(new String[] {"--port", "1"}))
        .hasMessageContaining("unknown argument '--port'");
  }
}
