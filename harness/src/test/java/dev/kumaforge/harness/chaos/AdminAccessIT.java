package dev.kumaforge.harness.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.chaos.experiment.ActionType;
import dev.kumaforge.common.config.YamlConfig;
import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.Gateway;
import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.gateway.consumer.ApiKeyHash;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos run's admin calls ({@link FaultMonitor}'s {@code GET /metrics}, {@link ProcessActions}'
 * {@code POST /reload}) against a real gateway whose admin listener requires a token: with the
 * token from the environment they work, without it the gateway looks down.
 */
class AdminAccessIT {
  private static final String TOKEN = "admin-token-for-forge-0123456789";

  @TempDir Path dir;

  private static String config(String tokenHash) {
    return """
        listeners:
          public: {address: "127.0.0.1:0"}
          admin:
            address: "127.0.0.1:0"
            authentication: {tokenHash: "%s"}
        backends: [{name: b, endpoints: [{address: "127.0.0.1:9"}]}]
        routes: [{name: r, backendRefs: [{name: b}]}]
        """
        .formatted(tokenHash);
  }

  @Test
  void monitorAndReloadSendTheAdminTokenFromTheEnvironment() throws Exception {
    String yaml = config(ApiKeyHash.hash(TOKEN));
    AdminAccess admin =
        AdminAccess.of(YamlConfig.parseTree(yaml, "gw.yaml"), Map.of(AdminAccess.TOKEN_ENV, TOKEN));
    assertThat(admin.authenticated()).isTrue();
    assertThat(admin.toString()).doesNotContain(TOKEN);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try (Gateway gw = Gateway.start(GatewayConfig.parse(yaml, "gw.yaml"))) {
      String adminUrl = gw.listeners().get("admin");
      HttpClient client = HttpClient.newBuilder().executor(scheduler).build();
      NanoClock clock = NanoClock.system();

      FaultMonitor without =
          new FaultMonitor(clock, new LoadWindow(clock), Map.of(), () -> adminUrl, client);
      without.sample();
      assertThat(without.samples().get(0).gatewayUp()).as("admin without a token").isFalse();

      FaultMonitor monitor =
          new FaultMonitor(clock, new LoadWindow(clock), Map.of(), () -> adminUrl, client, admin);
      monitor.sample();
      assertThat(monitor.samples().get(0).gatewayUp()).isTrue();
      assertThat(monitor.samples().get(0).configVersion()).isEqualTo(1.0);

      new ProcessActions(Map.of(), () -> adminUrl, () -> yaml, null, client, scheduler, admin)
          .executors()
          .get(ActionType.GATEWAY_RELOAD)
          .start(null);
      assertThat(gw.snapshot().version()).isEqualTo(2);
      monitor.sample();
      assertThat(monitor.samples().get(1).configVersion()).isEqualTo(2.0);
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void aMissingOrWrongTokenIsRefusedBeforeAnythingStarts() throws Exception {
    var tree = YamlConfig.parseTree(config(ApiKeyHash.hash(TOKEN)), "gw.yaml");
    assertThatThrownBy(() -> AdminAccess.of(tree, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FORGE_ADMIN_TOKEN");
    assertThatThrownBy(() -> AdminAccess.of(tree, Map.of(AdminAccess.TOKEN_ENV, "wrong")))
        .hasMessageContaining("does not match listeners.admin.authentication.tokenHash")
        .hasMessageNotContaining("wrong");
    Path file = dir.resolve("admin.token");
    Files.writeString(file, TOKEN + "\n");
    assertThat(
            AdminAccess.of(tree, Map.of(AdminAccess.TOKEN_FILE_ENV, file.toString()))
                .authenticated())
        .isTrue();
    String open = config("x").replace("    authentication: {tokenHash: \"x\"}\n", "");
    assertThat(AdminAccess.of(YamlConfig.parseTree(open, "gw.yaml"), Map.of()))
        .isSameAs(AdminAccess.NONE);
  }
}
