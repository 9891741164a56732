package dev.kumaforge.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.Gateway;
import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.gateway.upstream.BackendRuntime;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.junit.jupiter.api.Test;

class RouteRuntimeTest {

  @Test
  void weightedBackendRefsSplitWithinTolerance() {
    GatewayConfig config =
        GatewayConfig.parse(
            """
            listeners: {public: {address: "a:1"}, admin: {address: "127.0.0.1:2"}}
            backends:
              - {name: stable, endpoints: [{address: "h:1"}]}
              - {name: canary, endpoints: [{address: "h:2"}]}
              - {name: off, endpoints: [{address: "h:3"}]}
            routes:
              - name: r
                backendRefs: [{name: stable, weight: 90}, {name: canary, weight: 10}, {name: off, weight: 0}]
            """,
            "t");
    Snapshot s = Snapshot.build(config, Gateway.pekkoConfig(), NanoClock.system(), null, 1);
    RouteRuntime route = s.router().route(HttpRequest.create("/"));
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      BackendRuntime b = route.pickBackend();
      counts.merge(b.name(), 1, Integer::sum);
    }
    // binomial sd for p=0.1, n=10k is 30: +-5 sd
    assertThat(counts.get("canary")).isBetween(850, 1150);
    assertThat(counts.get("stable")).isBetween(8850, 9150);
    assertThat(counts).doesNotContainKey("off");
  }

  @Test
  void reloadKeepsEndpointStateForEndpointsThatStay() {
    String yaml =
        """
        listeners: {public: {address: "a:1"}, admin: {address: "127.0.0.1:2"}}
        backends:
          - {name: b, endpoints: [{address: "h:1"}, {address: "%s"}]}
        routes:
          - {name: r, backendRefs: [{name: b}]}
        """;
    Snapshot first =
        Snapshot.build(
            GatewayConfig.parse(yaml.formatted("h:2"), "t"),
            Gateway.pekkoConfig(),
            NanoClock.system(),
            null,
            1);
    Snapshot second =
        Snapshot.build(
            GatewayConfig.parse(yaml.formatted("h:3"), "t"),
            Gateway.pekkoConfig(),
            NanoClock.system(),
            first,
            2);
    assertThat(second.backends().get("b").endpoints()[0])
        .isSameAs(first.backends().get("b").endpoints()[0]);
    assertThat(second.backends().get("b").endpoints()[1])
        .isNotSameAs(first.backends().get("b").endpoints()[1]);
  }
}
