package dev.kumaforge.harness.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the peers reproduce of a gateway config, what they refuse and how a peer is found. */
class RouteTableTest {
  private static final String BASE =
      """
      listeners: {public: {address: "127.0.0.1:0"}, admin: {address: "127.0.0.1:0"}}
      backends: [{name: openai, endpoints: [{address: "127.0.0.1:18001"}]}]
      """;

  @Test
  void routesThatWouldMatchDifferentlyAreRefusedNamingTheRoute() {
    GatewayConfig config =
        GatewayConfig.parse(
            BASE
                + """
                routes:
                  - name: ok
                    backendRefs: [{name: openai}]
                  - name: by-header
                    matches: [{path: {type: PathPrefix, value: /v1}, headers: [{name: x-a, value: b}]}]
                    backendRefs: [{name: openai}]
                  - name: by-regex
                    matches: [{path: {type: RegularExpression, value: "/v[0-9]+"}}]
                    backendRefs: [{name: openai}]
                """,
            "gw.yaml");
    assertThatThrownBy(() -> NginxConfig.generate(config, PeerConfigGoldenTest.OPTIONS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nginx peer")
        .hasMessageContaining("routes[1] (by-header).matches[0].headers")
        .hasMessageContaining("routes[2] (by-regex).matches[0].path: RegularExpression");
  }

  @Test
  void routeAuthenticationIsNotedAsNotEnforcedByThePeers() {
    GatewayConfig config =
        GatewayConfig.parse(
            BASE
                + """
                consumers:
                  - name: team-a
                    apiKeys: ["sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f0:455fb1bfa477f9d9a3c940a8abb8107419271358c2e53dfe3ce6d16b4d678092"]
                routes:
                  - name: open
                    matches: [{path: {type: PathPrefix, value: /open}}]
                    backendRefs: [{name: openai}]
                  - name: keyed
                    matches: [{path: {type: PathPrefix, value: /keyed}}]
                    backendRefs: [{name: openai}]
                    authentication: {methods: [apiKey]}
                """,
            "gw.yaml");
    String note =
        "routes[1] (keyed): authentication is not enforced by nginx (requests reach the backend"
            + " without credentials)";
    assertThat(NginxConfig.generate(config, PeerConfigGoldenTest.OPTIONS))
        .contains("# not reproduced: " + note)
        .doesNotContain("routes[0] (open): authentication");
    assertThat(HaproxyConfig.generate(config, PeerConfigGoldenTest.OPTIONS))
        .contains("routes[1] (keyed): authentication is not enforced by haproxy");
  }

  @Test
  void concretePortIsRequiredForNginxAndHaproxyButNotEnvoy() {
    GatewayConfig config =
        GatewayConfig.parse(BASE + "routes: [{name: all, backendRefs: [{name: openai}]}]\n", "g");
    PeerOptions port0 = PeerConfigGoldenTest.OPTIONS.withPort(0);
    assertThatThrownBy(() -> HaproxyConfig.generate(config, port0))
        .hasMessageContaining("haproxy cannot listen on port 0");
    assertThat(EnvoyConfig.generate(config, port0)).contains("port_value: 0");
  }

  @Test
  void missingProgramIsSkippedUnlessPeersAreRequired() {
    Map<String, String> env = Map.of("PATH", "/nonexistent");
    PeerBinaries.Lookup envoy = PeerBinaries.locate(PeerKind.ENVOY, env);
    assertThat(envoy.available()).isFalse();
    assertThatThrownBy(envoy::require)
        .isInstanceOf(PeerSkippedException.class)
        .hasMessage("envoy is not in ENVOY_BIN nor on PATH: target skipped");

    PeerBinaries.Lookup required =
        PeerBinaries.locate(
            PeerKind.ENVOY, Map.of("PATH", "/nonexistent", "FORGE_REQUIRE_PEERS", "1"));
    assertThatThrownBy(required::require)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("FORGE_REQUIRE_PEERS=1");

    PeerBinaries.Lookup bad =
        PeerBinaries.locate(PeerKind.ENVOY, Map.of("ENVOY_BIN", "/nonexistent/envoy"));
    assertThat(bad.note()).contains("ENVOY_BIN=/nonexistent/envoy is not an executable file");
  }

  @Test
  void programsInUsrSbinAreFoundWithoutPath() {
    PeerBinaries.Lookup nginx = PeerBinaries.locate(PeerKind.NGINX, Map.of("PATH", "/nonexistent"));
    if (nginx.available()) {
      assertThat(nginx.binary().getParent()).isIn(Path.of("/usr/sbin"), Path.of("/usr/local/sbin"));
    } else {
      assertThat(nginx.note()).contains("not on PATH nor in /usr/sbin");
    }
  }
}
