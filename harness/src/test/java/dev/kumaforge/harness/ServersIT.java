package dev.kumaforge.harness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.common.files.ReadyFile;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code forge backends} and {@code forge gateway} as a user starts them from the shaded jar: port
 * 0, READY lines, ready files, a request through the gateway to the backend, and a clean stop.
 */
class ServersIT {
  @TempDir Path dir;
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    for (Process p : started) {
      p.destroy();
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private Process forge(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(
        List.of(
            "-Xmx512m",
            "-jar",
            QuickstartFiles.root().resolve("harness/target/forge.jar").toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    started.add(p);
    return p;
  }

  /** Reads stdout until a READY line for {@code name}; returns its URL. */
  private static String awaitReadyLine(Process p, String name) throws Exception {
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    String line;
    while ((line = r.readLine()) != null) {
      seen.append(line).append('\n');
      if (line.startsWith("READY " + name + " ")) {
        return line.substring(("READY " + name + " ").length()).trim();
      }
    }
    throw new AssertionError("no READY line for " + name + "; output:\n" + seen);
  }

  @Test
  void backendsAndGatewayStartOnPortZeroAndServeThroughEachOther() throws Exception {
    Path backendsReady = dir.resolve("backends.json");
    Process backends =
        forge(
            "backends",
            "--config",
            QuickstartFiles.root().resolve("mock-llm-backends/examples/quickstart.yaml").toString(),
            "--ephemeral-ports",
            "--ready-file",
            backendsReady.toString());
    String openai = awaitReadyLine(backends, "openai");
    assertThat(openai).startsWith("http://127.0.0.1:").doesNotEndWith(":18001");
    Map<String, String> ready = ReadyFile.read(backendsReady);
    assertThat(ready).containsEntry("openai", openai);

    Path gatewayConfig = dir.resolve("gateway.yaml");
    Files.writeString(
        gatewayConfig,
        Files.readString(
                QuickstartFiles.root().resolve("reference-gateway/examples/quickstart.yaml"))
            .replace("127.0.0.1:18080", "127.0.0.1:0")
            .replace("127.0.0.1:18081", "127.0.0.1:0")
            .replace("127.0.0.1:18001", openai.substring("http://".length())));
    Path gatewayReady = dir.resolve("gateway.json");
    Process gateway =
        forge(
            "gateway",
            "--config",
            gatewayConfig.toString(),
            "--ready-file",
            gatewayReady.toString());
    String pub = awaitReadyLine(gateway, "public");
    Map<String, String> gw = ReadyFile.read(gatewayReady);
    assertThat(gw).containsKeys("public", "admin");
    assertThat(gw.get("public")).isEqualTo(pub);

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> chat =
        http.send(
            HttpRequest.newBuilder(URI.create(pub + "/v1/chat/completions"))
                .header("content-type", "application/json")
                .header("authorization", "Bearer sk-forge-quickstart")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(chat.statusCode()).isEqualTo(200);
    assertThat(chat.body()).contains("\"usage\"").contains("chat.completion");

    HttpResponse<String> readyProbe =
        http.send(
            HttpRequest.newBuilder(URI.create(gw.get("admin") + "/ready")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(readyProbe.statusCode()).isEqualTo(200);
    // The gateway was started from its file: an admin reload with no body re-reads it.
    HttpResponse<String> reload =
        http.send(
            HttpRequest.newBuilder(URI.create(gw.get("admin") + "/reload"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
    // The public listener never serves admin endpoints.
    HttpResponse<String> adminOnPublic =
        http.send(
            HttpRequest.newBuilder(URI.create(pub + "/config")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(adminOnPublic.body()).doesNotContain("listeners");

    // SIGTERM stops both gracefully.
    gateway.destroy();
    backends.destroy();
    assertThat(gateway.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(backends.waitFor(20, TimeUnit.SECONDS)).isTrue();
  }
}
