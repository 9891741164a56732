package dev.kumaforge.harness.peers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.kumaforge.common.config.YamlConfig;
import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.gateway.config.HostPort;
import dev.kumaforge.harness.peers.internal.Durations;
import dev.kumaforge.harness.peers.internal.RouteTable;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.time.Duration;
import java.util.List;

/**
 * Writes an Envoy v3 bootstrap (static listener, routes and clusters, YAML) from the reference
 * gateway's route table, and validates it against Envoy's protos, so the config is checked even
 * where no {@code envoy} binary exists. Run it with {@code envoy -c FILE --concurrency N
 * --disable-hot-restart}.
 *
 * <p>A backend with {@code protocol: h2c} becomes a cluster speaking HTTP/2 with prior knowledge
 * ({@code explicit_http_config.http2_protocol_options}, with the backend's {@code
 * maxConcurrentStreams}); the others speak HTTP/1.1.
 *
 * <p>Envoy's route timeout spans the whole response and would cut SSE streams, so the route timeout
 * is off and the gateway's {@code streamIdleTimeout} becomes the route's idle timeout.
 */
public final class EnvoyConfig {
  private static final String HCM =
      "type.googleapis.com/" + HttpConnectionManager.getDescriptor().getFullName();
  private static final String ROUTER =
      "type.googleapis.com/" + Router.getDescriptor().getFullName();
  private static final String PROTOCOL_OPTIONS =
      "type.googleapis.com/" + HttpProtocolOptions.getDescriptor().getFullName();
  private static final JsonFormat.TypeRegistry TYPES =
      JsonFormat.TypeRegistry.newBuilder()
          .add(HttpConnectionManager.getDescriptor())
          .add(Router.getDescriptor())
          .add(HttpProtocolOptions.getDescriptor())
          .build();

  private EnvoyConfig() {}

  /**
   * The bootstrap YAML for {@code config}; port 0 is allowed (Envoy binds a free port).
   *
   * @throws IllegalArgumentException when a route cannot be reproduced (the message names it)
   */
  public static String generate(GatewayConfig config, PeerOptions options) {
    if (options.tls() != null) {
      throw new IllegalArgumentException("envoy targets have no generated TLS listener");
    }
    RouteTable table = RouteTable.of(config, "envoy");
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    ObjectNode statics = root.putObject("static_resources");

    ObjectNode listener = statics.putArray("listeners").addObject();
    listener.put("name", "public");
    socketAddress(listener.putObject("address"), options.host(), options.port());
    ObjectNode hcmFilter =
        listener.putArray("filter_chains").addObject().putArray("filters").addObject();
    hcmFilter.put("name", "envoy.filters.network.http_connection_manager");
    ObjectNode hcm = hcmFilter.putObject("typed_config");
    hcm.put("@type", HCM);
    hcm.put("stat_prefix", "public");
    hcm.put("codec_type", "AUTO");
    Duration streamIdle = Duration.ZERO;
    for (Backend b : config.backends()) {
      streamIdle = Durations.max(streamIdle, b.timeouts().http().streamIdleTimeout());
    }
    hcm.put("stream_idle_timeout", Durations.protoSeconds(streamIdle));
    hcm.putObject("common_http_protocol_options").put("idle_timeout", "75s");
    ObjectNode vhost =
        hcm.putObject("route_config").put("name", "routes").putArray("virtual_hosts").addObject();
    vhost.put("name", "all");
    vhost.putArray("domains").add("*");
    ArrayNode routes = vhost.putArray("routes");
    boolean hasRoot = false;
    List<RouteTable.Entry> entries = table.entries();
    for (RouteTable.Entry e : entries) {
      ObjectNode r = routes.addObject();
      r.put("name", e.route());
      ObjectNode match = r.putObject("match");
      if (e.kind() == RouteTable.Kind.EXACT) {
        match.put("path", e.path());
      } else if (e.path().equals("/")) {
        hasRoot = true;
        match.put("prefix", "/");
      } else {
        match.put("path_separated_prefix", e.path());
      }
      ObjectNode action = r.putObject("route");
      if (e.backends().size() == 1) {
        action.put("cluster", cluster(config, e.backends().get(0).name()));
      } else {
        ArrayNode clusters = action.putObject("weighted_clusters").putArray("clusters");
        for (RouteTable.WeightedBackend wb : e.backends()) {
          clusters.addObject().put("name", cluster(config, wb.name())).put("weight", wb.weight());
        }
      }
      action.put("timeout", "0s");
      Duration idle = Duration.ZERO;
      for (RouteTable.WeightedBackend wb : e.backends()) {
        Backend b = config.backend(wb.name());
        idle = Durations.max(idle, b.timeouts().http().streamIdleTimeout());
        if (b.loadBalancer().type() == Backend.LbType.RingHash && !action.has("hash_policy")) {
          ArrayNode policies = action.putArray("hash_policy");
          for (Backend.HashPolicy p : b.loadBalancer().ringHash().hashPolicies()) {
            if (p.type() == Backend.HashType.Header) {
              policies.addObject().putObject("header").put("header_name", p.header().name());
            } else {
              policies.addObject().putObject("cookie").put("name", p.cookie().name());
            }
          }
        }
      }
      action.put("idle_timeout", Durations.protoSeconds(idle));
    }
    if (!hasRoot) {
      ObjectNode r = routes.addObject();
      r.put("name", "no_route");
      r.putObject("match").put("prefix", "/");
      ObjectNode direct = r.putObject("direct_response");
      direct.put("status", 404);
      direct.putObject("body").put("inline_string", "{\"error\":\"no route\"}");
    }
    ObjectNode router = hcm.putArray("http_filters").addObject();
    router.put("name", "envoy.filters.http.router");
    router.putObject("typed_config").put("@type", ROUTER);

    ArrayNode clusters = statics.putArray("clusters");
    for (Backend b : config.backends()) {
      clusters.add(cluster(config, b));
    }
    try {
      StringBuilder s = new StringBuilder();
      s.append("# Generated by forge from the reference gateway's route table.\n");
      s.append("# Run: envoy -c THIS --concurrency ").append(options.workers());
      s.append(" --disable-hot-restart\n");
      for (String note : table.notes()) {
        s.append("# not reproduced: ").append(note).append('\n');
      }
      s.append(YamlConfig.yamlMapper().writeValueAsString(root));
      return s.toString();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the Envoy config: " + e.getMessage(), e);
    }
  }

  /**
   * Parses bootstrap YAML into Envoy's {@link Bootstrap} proto.
   *
   * @throws IllegalArgumentException naming what Envoy's protos refuse
   */
  public static Bootstrap parse(String yaml, String source) {
    JsonNode tree = YamlConfig.parseTree(yaml, source);
    Bootstrap.Builder builder = Bootstrap.newBuilder();
    try {
      JsonFormat.parser().usingTypeRegistry(TYPES).merge(tree.toString(), builder);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          source + ": not a valid Envoy v3 bootstrap: " + e.getMessage(), e);
    }
    return builder.build();
  }

  private static ObjectNode cluster(GatewayConfig config, Backend b) {
    ObjectNode c = JsonNodeFactory.instance.objectNode();
    String name = cluster(config, b.name());
    c.put("name", name);
    boolean allIps = b.endpoints().stream().allMatch(e -> isIp(HostPort.parse(e.address()).host()));
    c.put("type", allIps ? "STATIC" : "STRICT_DNS");
    c.put("connect_timeout", Durations.protoSeconds(b.timeouts().connectionTimeout()));
    switch (b.loadBalancer().type()) {
      case RoundRobin -> c.put("lb_policy", "ROUND_ROBIN");
      case LeastRequest -> {
        c.put("lb_policy", "LEAST_REQUEST");
        c.putObject("least_request_lb_config")
            .put("choice_count", b.loadBalancer().leastRequest().choiceCount());
      }
      case Random -> c.put("lb_policy", "RANDOM");
      case RingHash -> c.put("lb_policy", "RING_HASH");
    }
    int endpoints = b.endpoints().size();
    ObjectNode thresholds = c.putObject("circuit_breakers").putArray("thresholds").addObject();
    thresholds.put("max_connections", b.connectionPool().maxConnections() * endpoints);
    thresholds.put("max_pending_requests", b.connectionPool().maxOpenRequests() * endpoints);
    thresholds.put("max_requests", b.connectionPool().maxOpenRequests() * endpoints);
    ObjectNode protocol =
        c.putObject("typed_extension_protocol_options")
            .putObject("envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
    protocol.put("@type", PROTOCOL_OPTIONS);
    protocol
        .putObject("common_http_protocol_options")
        .put("idle_timeout", Durations.protoSeconds(b.connectionPool().keepAlive()));
    if (b.protocol() == Backend.Protocol.h2c) {
      // HTTP/2 with prior knowledge on plain TCP, as the gateway's h2c pool
      protocol
          .putObject("explicit_http_config")
          .putObject("http2_protocol_options")
          .put("max_concurrent_streams", b.connectionPool().maxConcurrentStreams());
    } else {
      protocol.putObject("explicit_http_config").putObject("http_protocol_options");
    }
    ObjectNode assignment = c.putObject("load_assignment");
    assignment.put("cluster_name", name);
    ArrayNode lbEndpoints = assignment.putArray("endpoints").addObject().putArray("lb_endpoints");
    for (Backend.Endpoint e : b.endpoints()) {
      HostPort hp = HostPort.parse(e.address());
      ObjectNode lb = lbEndpoints.addObject();
      socketAddress(lb.putObject("endpoint").putObject("address"), hp.host(), hp.port());
      lb.put("load_balancing_weight", e.weight());
    }
    return c;
  }

  private static void socketAddress(ObjectNode address, String host, int port) {
    address.putObject("socket_address").put("address", host).put("port_value", port);
  }

  private static boolean isIp(String host) {
    return host.indexOf(':') >= 0 || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  }

  private static String cluster(GatewayConfig config, String name) {
    return NginxConfig.upstream(config, name);
  }
}
