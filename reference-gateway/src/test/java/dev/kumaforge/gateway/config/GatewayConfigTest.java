package dev.kumaforge.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.common.config.ConfigError;
import dev.kumaforge.common.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

  @Test
  void examplesLoad() {
    assertThat(GatewayConfig.load(Path.of("examples/gateway.yaml")).routes()).hasSize(3);
    assertThat(GatewayConfig.load(Path.of("examples/ratelimit-local.yaml")).redis()).isEmpty();
    GatewayConfig shared = GatewayConfig.load(Path.of("examples/ratelimit-redis.yaml"));
    assertThat(shared.routes().get(0).rateLimit().shared().redis()).isEqualTo("main");
    assertThat(GatewayConfig.load(Path.of("../chaos/config/gateway-3-redis.yaml")).redis())
        .containsKey("main");
  }

  @Test
  void quickstartLoadsWithDefaults() {
    GatewayConfig c = GatewayConfig.load(Path.of("examples/quickstart.yaml"));
    assertThat(c.listeners().get("public").hostPort()).isEqualTo(new HostPort("127.0.0.1", 18080));
    assertThat(c.listeners().get("admin").address()).isEqualTo("127.0.0.1:18081");
    Backend b = c.backend("openai");
    assertThat(b.endpoints())
        .extracting(Backend.Endpoint::address)
        .containsExactly("127.0.0.1:18001");
    assertThat(b.retry().numRetries()).isZero();
    assertThat(b.timeouts().http().requestTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(b.loadBalancer().type()).isEqualTo(Backend.LbType.RoundRobin);
    assertThat(c.routes().get(0).matches().get(0).path().type())
        .isEqualTo(Route.PathType.PathPrefix);
  }

  @Test
  void referenceYamlIsAValidConfig() {
    GatewayConfig c = GatewayConfig.load(Path.of("src/main/resources/reference.yaml"));
    assertThat(c.routes().get(0).rateLimit().num()).isEqualTo(100);
    assertThat(c.backend("openai").loadBalancer().ringHash().hashPolicies()).hasSize(1);
  }

  @Test
  void sharedRateLimitErrorsNameTheirPaths() {
    String yaml =
        """
        listeners:
          public: {address: "127.0.0.1:0"}
          admin: {address: "127.0.0.1:0"}
        redis:
          main: {uri: "http://redis:6379", connectTimeout: 0s}
        backends:
          - name: a
            endpoints: [{address: "h:1"}]
        routes:
          - name: r
            backendRefs: [{name: a}]
            rateLimit:
              num: 5
              shared: {redis: other, timeout: 0ms, failureMode: Closed, localCap: {num: 0}}
        """;
    assertThatThrownBy(() -> GatewayConfig.parse(yaml, "gw.yaml"))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.errors())
                    .extracting(ConfigError::path)
                    .containsExactlyInAnyOrder(
                        "redis.main.uri",
                        "redis.main.connectTimeout",
                        "routes[0].rateLimit.shared.redis",
                        "routes[0].rateLimit.shared.timeout",
                        "routes[0].rateLimit.shared.localCap.num",
                        "routes[0].rateLimit.shared.localCap.burst",
                        "routes[0].rateLimit.shared.failureMode"))
        .hasMessageContaining("'other' (expected: the name of a connection in redis)");
    Route.MeshRateLimit defaults =
        GatewayConfig.load(Path.of("src/main/resources/reference.yaml"))
            .routes()
            .get(0)
            .rateLimit();
    assertThat(defaults.shared().timeout()).isEqualTo(Duration.ofMillis(50));
    assertThat(defaults.shared().failureMode()).isEqualTo(Route.FailureMode.Open);
  }

  @Test
  void everyErrorIsReportedWithItsPath() {
    String yaml =
        """
        listeners:
          public: {address: "127.0.0.1"}
        backends:
          - name: a
            endpoints: [{address: "h:1", weight: 0}]
            retry: {numRetries: -1, retryOn: [Bogus]}
          - name: a
            endpoints: []
        routes:
          - name: r
            matches:
              - path: {type: RegularExpression, value: "/(unclosed"}
                headers: [{type: Exact, name: x}]
            backendRefs: [{name: missing}]
            rateLimit: {num: 0}
        """;
    assertThatThrownBy(() -> GatewayConfig.parse(yaml, "gw.yaml"))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.errors())
                    .extracting(ConfigError::path)
                    .contains(
                        "listeners.public.address",
                        "listeners.admin",
                        "backends[0].endpoints[0].weight",
                        "backends[0].retry.numRetries",
                        "backends[0].retry.retryOn[0]",
                        "backends[1].name",
                        "backends[1].endpoints",
                        "routes[0].matches[0].path.value",
                        "routes[0].matches[0].headers[0].value",
                        "routes[0].backendRefs[0].name",
                        "routes[0].rateLimit.num"))
        .hasMessageContaining("'missing' (expected: the name of a backend in backends[])")
        .hasMessageContaining("valid regular expression");
  }

  @Test
  void unknownKeysAndBadEnumsNameThePath() {
    String yaml =
        """
        listeners: {public: {address: "a:1"}, admin: {address: "a:2"}}
        backends: [{name: b, endpoints: [{address: "h:1"}], loadBalancer: {type: Fastest}}]
        routes: [{name: r, backendRefs: [{name: b}]}]
        """;
    assertThatThrownBy(() -> GatewayConfig.parse(yaml, "gw.yaml"))
        .hasMessageContaining("backends[0].loadBalancer.type");
  }
}
