package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.gateway.consumer.ApiKeyHash;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config file is watched: a valid change is applied, an invalid one changes nothing. */
class FileWatchIT {
  @TempDir Path dir;

  private static String config(String address, String prefix) {
    return GatewayFixture.LISTENERS
        + """
        reload: {watchFile: true, pollInterval: 100ms}
        backends:
          - name: b
            endpoints: [{address: "%s"}]
        routes:
          - name: r
            matches: [{path: {type: PathPrefix, value: %s}}]
            backendRefs: [{name: b}]
        """
            .formatted(address, prefix);
  }

  private static int status(HttpClient client, String url) throws Exception {
    return client
        .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  @Test
  void fileChangesAreReloaded() throws Exception {
    Path file = dir.resolve("gateway.yaml");
    HttpClient client = HttpClient.newHttpClient();
    try (TestUpstream u = new TestUpstream("u")) {
      AtomicFiles.writeString(file, config(u.address(), "/one"));
      try (Gateway gw = Gateway.start(GatewayConfig.load(file), file)) {
        String base = gw.listeners().get("public");
        assertThat(status(client, base + "/one")).isEqualTo(200);
        AtomicFiles.writeString(file, config(u.address(), "/two"));
        await().atMost(Duration.ofSeconds(10)).until(() -> status(client, base + "/two") == 200);
        assertThat(status(client, base + "/one")).isEqualTo(404);

        AtomicFiles.writeString(file, config(u.address(), "no-slash"));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    status(client, gw.listeners().get("admin") + "/metrics") == 200
                        && gw.metrics()
                            .scrape()
                            .contains("gateway_config_reloads_total{result=\"rejected\"} 1"));
        assertThat(status(client, base + "/two")).isEqualTo(200);
        assertThat(gw.snapshot().version()).isEqualTo(2);
      }
    }
  }

  @Test
  void aKeyRemovedFromTheWatchedKeyFileIsRefusedAfterTheReload() throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Path keys = dir.resolve("keys.txt");
    HttpClient client = HttpClient.newHttpClient();
    try (TestUpstream u = new TestUpstream("u")) {
      AtomicFiles.writeString(keys, "ops " + ApiKeyHash.hash("sk-ops") + "\n");
      AtomicFiles.writeString(
          file,
          config(u.address(), "/one")
                  .replace(
                      "backendRefs: [{name: b}]",
                      "backendRefs: [{name: b}]\n    authentication: {}")
              + "authentication: {apiKeys: {file: \""
              + keys
              + "\"}}\n");
      try (Gateway gw = Gateway.start(GatewayConfig.load(file), file)) {
        HttpRequest withKey =
            HttpRequest.newBuilder(URI.create(gw.listeners().get("public") + "/one"))
                .header("x-api-key", "sk-ops")
                .build();
        assertThat(client.send(withKey, HttpResponse.BodyHandlers.ofString()).statusCode())
            .isEqualTo(200);
        AtomicFiles.writeString(keys, "# ops revoked\n");
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    client.send(withKey, HttpResponse.BodyHandlers.ofString()).statusCode() == 401);
        assertThat(gw.snapshot().version()).isEqualTo(2);
      }
    }
  }
}
