package dev.kumaforge.harness.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The generated Envoy bootstrap parses into Envoy's v3 protos with the gateway's routes. */
class EnvoyConfigTest {

  @Test
  void bootstrapParsesIntoEnvoyProtos() throws InvalidProtocolBufferException {
    String yaml =
        EnvoyConfig.generate(PeerConfigGoldenTest.gateway(), PeerConfigGoldenTest.OPTIONS);
    Bootstrap bootstrap = EnvoyConfig.parse(yaml, "envoy.yaml");

    assertThat(bootstrap.getStaticResources().getClustersList())
        .extracting(Cluster::getName)
        .containsExactly("b0_openai", "b1_anthropic", "b2_sticky_one");
    Cluster openai = bootstrap.getStaticResources().getClusters(0);
    assertThat(openai.getConnectTimeout().getSeconds()).isEqualTo(2);
    assertThat(openai.getLoadAssignment().getEndpoints(0).getLbEndpointsList())
        .extracting(e -> e.getLoadBalancingWeight().getValue())
        .containsExactly(1, 3);
    assertThat(bootstrap.getStaticResources().getClusters(1).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
    assertThat(bootstrap.getStaticResources().getClusters(2).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.RING_HASH);

    var listener = bootstrap.getStaticResources().getListeners(0);
    assertThat(listener.getAddress().getSocketAddress().getPortValue()).isEqualTo(18080);
    HttpConnectionManager hcm =
        listener
            .getFilterChains(0)
            .getFilters(0)
            .getTypedConfig()
            .unpack(HttpConnectionManager.class);
    List<Route> routes = hcm.getRouteConfig().getVirtualHosts(0).getRoutesList();
    // Gateway precedence: Exact first, then the longest prefix; no "/" route: a 404 at the end.
    assertThat(routes)
        .extracting(Route::getName)
        .containsExactly("messages", "sessions", "chat", "rest", "no_route");
    assertThat(routes.get(0).getMatch().getPath()).isEqualTo("/v1/messages");
    assertThat(routes.get(2).getMatch().getPathSeparatedPrefix()).isEqualTo("/v1/chat");
    assertThat(routes.get(2).getRoute().getWeightedClusters().getClustersList())
        .extracting(c -> c.getName() + "=" + c.getWeight().getValue())
        .containsExactly("b0_openai=80", "b1_anthropic=20");
    assertThat(routes.get(1).getRoute().getHashPolicy(0).getHeader().getHeaderName())
        .isEqualTo("x-session-id");
    assertThat(routes.get(4).getDirectResponse().getStatus()).isEqualTo(404);
  }

  @Test
  void anH2cBackendIsAnHttp2Cluster() throws InvalidProtocolBufferException {
    String yaml =
        EnvoyConfig.generate(PeerConfigGoldenTest.gateway(), PeerConfigGoldenTest.OPTIONS);
    Bootstrap bootstrap = EnvoyConfig.parse(yaml, "envoy.yaml");
    String key = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
    // anthropic has protocol h2c and maxConcurrentStreams 100 in the golden gateway config
    HttpProtocolOptions h2 =
        bootstrap
            .getStaticResources()
            .getClusters(1)
            .getTypedExtensionProtocolOptionsOrThrow(key)
            .unpack(HttpProtocolOptions.class);
    assertThat(h2.getExplicitHttpConfig().hasHttp2ProtocolOptions()).isTrue();
    assertThat(h2.getExplicitHttpConfig().getHttp2ProtocolOptions().getMaxConcurrentStreams())
        .isEqualTo(com.google.protobuf.UInt32Value.of(100));
    HttpProtocolOptions http1 =
        bootstrap
            .getStaticResources()
            .getClusters(0)
            .getTypedExtensionProtocolOptionsOrThrow(key)
            .unpack(HttpProtocolOptions.class);
    assertThat(http1.getExplicitHttpConfig().hasHttpProtocolOptions()).isTrue();
    assertThat(http1.getExplicitHttpConfig().hasHttp2ProtocolOptions()).isFalse();
  }

  @Test
  void invalidBootstrapIsRefusedWithTheFieldNamed() {
    assertThatThrownBy(
            () ->
                EnvoyConfig.parse(
                    "static_resources:\n  clusters:\n    - name: x\n      lb_polcy: RANDOM\n",
                    "bad.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad.yaml")
        .hasMessageContaining("lb_polcy");
  }
}
