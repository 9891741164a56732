package dev.kumaforge.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.common.config.ConfigError;
import dev.kumaforge.common.config.ConfigException;
import dev.kumaforge.common.tls.DevCertificates;
import dev.kumaforge.common.tls.KeyType;
import dev.kumaforge.common.tls.SpiffeId;
import dev.kumaforge.gateway.consumer.ApiKeyHash;
import dev.kumaforge.gateway.tls.TlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
  void mtlsExampleLoadsWithCertificatesFromForgeCertsBesideIt(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("mtls.yaml");
    Files.copy(Path.of("examples/mtls.yaml"), config);
    assertThatThrownBy(() -> GatewayConfig.load(config))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.errors())
                    .extracting(ConfigError::path)
                    .containsExactlyInAnyOrder(
                        "listeners.public.tls.certificate",
                        "listeners.public.tls.privateKey",
                        "listeners.public.tls.clientCaBundles[0]"))
        .hasMessageContaining("file not found");
    Path certs = Files.createDirectories(dir.resolve("certs"));
    DevCertificates.Issued ca =
        DevCertificates.ca("ca", KeyType.EC_P256, Instant.now(), Duration.ofDays(1));
    DevCertificates.write(certs, "ca", ca);
    DevCertificates.write(
        certs,
        "server",
        DevCertificates.leaf(
            ca,
            DevCertificates.LeafSpec.server(
                "gateway", SpiffeId.parse("spiffe://forge.local/gateway"), List.of("127.0.0.1"))));
    GatewayConfig c = GatewayConfig.load(config);
    TlsConfig tls = c.listeners().get("public").tls();
    assertThat(tls.mutual()).isTrue();
    assertThat(Path.of(tls.certificate())).isEqualTo(certs.resolve("server.pem"));
    assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(c.routes().get(0).trafficPermission().rules()).hasSize(2);
  }

  @Test
  void badTlsAndListenerSettingsAreReportedTogether() {
    String yaml =
        """
        listeners:
          public:
            address: "127.0.0.1:0"
            headerTimeout: 0s
            maxConnections: 0
            tls:
              protocols: [TLSv1.1]
              cipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_128_GCM_SHA256]
              clientValidation: require
          admin: {address: "127.0.0.1:0"}
        backends: [{name: b, endpoints: [{address: "h:1"}]}]
        routes:
          - name: r
            backendRefs: [{name: b}]
            trafficPermission: {rules: [{spiffeId: "https://x/y", action: Allow}, {spiffeId: "spiffe://a/*"}]}
        """;
    assertThatThrownBy(() -> GatewayConfig.parse(yaml, "gw.yaml"))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.errors())
                    .extracting(ConfigError::path)
                    .containsExactlyInAnyOrder(
                        "listeners.public.headerTimeout",
                        "listeners.public.maxConnections",
                        "listeners.public.tls.certificate",
                        "listeners.public.tls.privateKey",
                        "listeners.public.tls.protocols[0]",
                        "listeners.public.tls.cipherSuites[0]",
                        "listeners.public.tls.cipherSuites[1]",
                        "listeners.public.tls.clientCaBundles",
                        "routes[0].trafficPermission.rules[0].spiffeId",
                        "routes[0].trafficPermission.rules[1].action"))
        .hasMessageContaining("CBC and static-RSA suites are refused");
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

  private static final String ROUTES =
      """
      backends: [{name: b, endpoints: [{address: "h:1"}]}]
      routes: [{name: r, backendRefs: [{name: b}]}]
      """;

  @Test
  void aNonLoopbackAdminListenerNeedsATokenHash() {
    String open =
        "listeners: {public: {address: \"0.0.0.0:1\"}, admin: {address: \"0.0.0.0:2\"}}\n" + ROUTES;
    assertThatThrownBy(() -> GatewayConfig.parse(open, "gw.yaml"))
        .hasMessageContaining(
            "listeners.admin.authentication: missing for non-loopback address '0.0.0.0:2'"
                + " (expected: a tokenHash whenever the admin listener binds beyond loopback)");
    String guarded =
        "listeners: {public: {address: \"0.0.0.0:1\"}, admin: {address: \"0.0.0.0:2\","
            + " authentication: {tokenHash: \""
            + ApiKeyHash.hash("admin-token")
            + "\"}}}\n"
            + ROUTES;
    assertThat(GatewayConfig.parse(guarded, "gw.yaml").listeners().get("admin").authentication())
        .isNotNull();
    for (String loopback : List.of("127.0.0.1:2", "localhost:2", "[::1]:2", "127.8.9.10:2")) {
      String yaml =
          "listeners: {public: {address: \"0.0.0.0:1\"}, admin: {address: \""
              + loopback
              + "\"}}\n"
              + ROUTES;
      assertThat(GatewayConfig.parse(yaml, "gw.yaml").listeners()).containsKey("admin");
    }
    String bad =
        "listeners: {public: {address: \"127.0.0.1:1\", authentication: {tokenHash: x}},"
            + " admin: {address: \"10.0.0.1:2\", authentication: {tokenHash: plain}}}\n"
            + ROUTES;
    assertThatThrownBy(() -> GatewayConfig.parse(bad, "gw.yaml"))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.errors())
                    .extracting(ConfigError::path)
                    .contains(
                        "listeners.public.authentication",
                        "listeners.admin.authentication.tokenHash"))
        .hasMessageNotContaining("plain");
  }

  @Test
  void expressionsAndTypeTagsAreRejectedNeverEvaluated() {
    String base = "listeners: {public: {address: \"127.0.0.1:1\"}, admin: {address: \"%s\"}}\n";
    for (String value :
        List.of("${env:HOME}", "#{T(java.lang.Runtime).getRuntime()}", "127.0.0.1:${PORT}")) {
      assertThatThrownBy(() -> GatewayConfig.parse(base.formatted(value) + ROUTES, "gw.yaml"))
          .as(value)
          .hasMessageContaining("gw.yaml: line 1")
          .hasMessageContaining("never evaluated");
    }
    String inName =
        ROUTES.replace("name: r,", "name: r, authentication: {methods: [\"${METHOD}\"]},");
    assertThatThrownBy(
            () ->
                GatewayConfig.parse(
                    base.formatted("127.0.0.1:2") + inName + "consumers: []\n", "gw.yaml"))
        .hasMessageContaining("never evaluated");
    String tagged =
        "listeners: {public: {address: !!java.net.URL [\"http://x\"]}, admin: {address:"
            + " \"127.0.0.1:2\"}}\n"
            + ROUTES;
    assertThatThrownBy(() -> GatewayConfig.parse(tagged, "gw.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("gw.yaml: line 1")
        .hasMessageNotContaining("http://x");
  }

  @Test
  void authenticationErrorsNameTheirPaths() {
    String yaml =
        """
        listeners: {public: {address: "127.0.0.1:1"}, admin: {address: "127.0.0.1:2"}}
        backends: [{name: b, endpoints: [{address: "h:1"}]}]
        routes:
          - {name: r, backendRefs: [{name: b}], authentication: {methods: []}}
          - {name: l, llm: true, authentication: {required: false}}
        authentication:
          jwt:
            maxTokenSize: 10B
            providers:
              - {name: a, issuer: i, secretFile: s, jwks: {file: f}}
              - {name: a, issuer: i, jwks: {uri: "ftp://x"}, algorithms: [HS256], clockSkew: 1h}
              - {name: c}
        """;
    assertThatThrownBy(() -> GatewayConfig.parse(yaml, "gw.yaml"))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.errors())
                    .extracting(ConfigError::path)
                    .contains(
                        "routes[0].authentication.methods",
                        "routes[1].authentication.required",
                        "authentication.jwt.maxTokenSize",
                        "authentication.jwt.providers[0].secretFile",
                        "authentication.jwt.providers[1].name",
                        "authentication.jwt.providers[1].issuer",
                        "authentication.jwt.providers[1].jwks.uri",
                        "authentication.jwt.providers[1].algorithms[0]",
                        "authentication.jwt.providers[1].clockSkew",
                        "authentication.jwt.providers[2].issuer",
                        "authentication.jwt.providers[2].secretFile"));
  }

  @Test
  void transportDefaultsToNettyWithOrWithoutTls() {
    String yaml =
        """
        listeners: {public: {address: "a:1"}, admin: {address: "127.0.0.1:2"}}
        backends:
          - {name: a, endpoints: [{address: "h:1"}]}
          - {name: b, endpoints: [{address: "h:2"}], connectionPool: {transport: pekko}}
          - {name: t, endpoints: [{address: "h:3"}], tls: {}}
          - {name: u, endpoints: [{address: "h:4"}], tls: {}, connectionPool: {transport: pekko}}
        routes: [{name: r, backendRefs: [{name: a}]}]
        """;
    GatewayConfig c = GatewayConfig.parse(yaml, "gw.yaml");
    assertThat(c.upstream().eventLoopThreads()).isEqualTo(1);
    assertThat(c.transportOf(c.backend("a"))).isEqualTo(Backend.Transport.netty);
    assertThat(c.transportOf(c.backend("b"))).isEqualTo(Backend.Transport.pekko);
    assertThat(c.transportOf(c.backend("t"))).isEqualTo(Backend.Transport.netty);
    assertThat(c.transportOf(c.backend("u"))).isEqualTo(Backend.Transport.pekko);
    GatewayConfig all = GatewayConfig.parse(yaml + "upstream: {transport: pekko}\n", "gw.yaml");
    assertThat(all.transportOf(all.backend("a"))).isEqualTo(Backend.Transport.pekko);
    assertThat(all.transportOf(all.backend("t"))).isEqualTo(Backend.Transport.pekko);
  }

  @Test
  void protocolDefaultsToHttp1AndH2cRunsOnTheNettyTransportWithoutTls() {
    String yaml =
        """
        listeners: {public: {address: "a:1"}, admin: {address: "127.0.0.1:2"}}
        backends:
          - {name: a, endpoints: [{address: "h:1"}]}
          - {name: b, endpoints: [{address: "h:2"}], protocol: h2c,
             connectionPool: {maxConcurrentStreams: 100}}
          - {name: c, endpoints: [{address: "h:3"}], protocol: h2, tls: {}}
        routes: [{name: r, backendRefs: [{name: a}]}]
        upstream: {transport: pekko}
        """;
    GatewayConfig c = GatewayConfig.parse(yaml, "gw.yaml");
    assertThat(c.backend("a").protocol()).isEqualTo(Backend.Protocol.http1);
    assertThat(c.backend("a").connectionPool().maxConcurrentStreams()).isEqualTo(1000);
    assertThat(c.transportOf(c.backend("a"))).isEqualTo(Backend.Transport.pekko);
    assertThat(c.backend("b").protocol()).isEqualTo(Backend.Protocol.h2c);
    assertThat(c.backend("b").connectionPool().maxConcurrentStreams()).isEqualTo(100);
    assertThat(c.transportOf(c.backend("b"))).isEqualTo(Backend.Transport.netty);
    assertThat(c.backend("c").protocol()).isEqualTo(Backend.Protocol.h2);
    assertThat(c.transportOf(c.backend("c"))).isEqualTo(Backend.Transport.netty);
  }

  @Test
  void h2cWithTlsThePekkoTransportOrABadValueNamesThePath() {
    String yaml =
        """
        listeners: {public: {address: "a:1"}, admin: {address: "127.0.0.1:2"}}
        backends:
          - {name: a, endpoints: [{address: "h:1"}], protocol: h2c, tls: {}}
          - {name: b, endpoints: [{address: "h:2"}], protocol: h2c,
             connectionPool: {transport: pekko, maxConcurrentStreams: 0}}
          - {name: c, endpoints: [{address: "h:3"}], protocol: h2}
          - {name: d, endpoints: [{address: "h:4"}], protocol: h2, tls: {},
             connectionPool: {transport: pekko}}
        routes: [{name: r, backendRefs: [{name: a}]}]
        """;
    assertThatThrownBy(() -> GatewayConfig.parse(yaml, "gw.yaml"))
        .hasMessageContaining(
            "backends[0].protocol: h2c (expected: http1 or h2 for a backend with tls (h2c is"
                + " HTTP/2 over plain TCP))")
        .hasMessageContaining(
            "backends[2].protocol: h2 (expected: h2c or http1 for a backend without tls (h2 is"
                + " HTTP/2 over TLS))")
        .hasMessageContaining(
            "backends[3].protocol: h2 (expected: http1 with connectionPool.transport pekko (h2"
                + " needs the netty transport))")
        .hasMessageContaining(
            "backends[1].protocol: h2c (expected: http1 with connectionPool.transport pekko (h2c"
                + " needs the netty transport))")
        .hasMessageContaining(
            "backends[1].connectionPool.maxConcurrentStreams: 0 (expected: 1 to 1000000)");
    String bad =
        """
        listeners: {public: {address: "a:1"}, admin: {address: "127.0.0.1:2"}}
        backends: [{name: b, endpoints: [{address: "h:1"}], protocol: http3}]
        routes: [{name: r, backendRefs: [{name: b}]}]
        """;
    assertThatThrownBy(() -> GatewayConfig.parse(bad, "gw.yaml"))
        .hasMessageContaining("backends[0].protocol");
  }

  @Test
  void badTransportSettingsNameThePath() {
    String yaml =
        """
        listeners: {public: {address: "a:1"}, admin: {address: "127.0.0.1:2"}}
        backends: [{name: b, endpoints: [{address: "h:1"}], connectionPool: {transport: grpc}}]
        routes: [{name: r, backendRefs: [{name: b}]}]
        upstream: {eventLoopThreads: 0}
        """;
    assertThatThrownBy(() -> GatewayConfig.parse(yaml, "gw.yaml"))
        .hasMessageContaining("backends[0].connectionPool.transport");
    String threads =
        """
        listeners: {public: {address: "a:1"}, admin: {address: "127.0.0.1:2"}}
        backends: [{name: b, endpoints: [{address: "h:1"}]}]
        routes: [{name: r, backendRefs: [{name: b}]}]
        upstream: {eventLoopThreads: 0}
        """;
    assertThatThrownBy(() -> GatewayConfig.parse(threads, "gw.yaml"))
        .hasMessageContaining("upstream.eventLoopThreads: 0 (expected: 1 to 64)");
  }

  @Test
  void serverTransportDefaultsToNettyAndABadValueNamesThePath() {
    String yaml =
        """
        listeners: {public: {address: "a:1"}, admin: {address: "127.0.0.1:2"}}
        backends: [{name: b, endpoints: [{address: "h:1"}]}]
        routes: [{name: r, backendRefs: [{name: b}]}]
        """;
    assertThat(GatewayConfig.parse(yaml, "gw.yaml").server().transport())
        .isEqualTo(GatewayConfig.Server.Transport.netty);
    assertThat(
            GatewayConfig.parse(yaml + "server: {transport: pekko}\n", "gw.yaml")
                .server()
                .transport())
        .isEqualTo(GatewayConfig.Server.Transport.pekko);
    assertThatThrownBy(() -> GatewayConfig.parse(yaml + "server: {transport: epoll}\n", "gw.yaml"))
        .hasMessageContaining("server.transport");
    assertThatThrownBy(() -> GatewayConfig.parse(yaml + "server: {threads: 2}\n", "gw.yaml"))
        .hasMessageContaining("server.threads: unknown key");
  }

  @Test
  void serverLoopsArePinnedOnNettySeparateOnPekkoAndPinnedNeedsNetty() {
    String yaml =
        """
        listeners: {public: {address: "a:1"}, admin: {address: "127.0.0.1:2"}}
        backends: [{name: b, endpoints: [{address: "h:1"}]}]
        routes: [{name: r, backendRefs: [{name: b}]}]
        """;
    assertThat(GatewayConfig.parse(yaml, "gw.yaml").server().loops())
        .isEqualTo(GatewayConfig.Server.Loops.pinned);
    assertThat(
            GatewayConfig.parse(yaml + "server: {transport: pekko}\n", "gw.yaml").server().loops())
        .isEqualTo(GatewayConfig.Server.Loops.separate);
    assertThat(
            GatewayConfig.parse(yaml + "server: {loops: separate}\n", "gw.yaml").server().loops())
        .isEqualTo(GatewayConfig.Server.Loops.separate);
    assertThatThrownBy(
            () ->
                GatewayConfig.parse(
                    yaml + "server: {transport: pekko, loops: pinned}\n", "gw.yaml"))
        .hasMessageContaining(
            "server.loops: pinned (expected: separate with transport pekko (pinned needs transport"
                + " netty))");
    assertThatThrownBy(() -> GatewayConfig.parse(yaml + "server: {loops: shared}\n", "gw.yaml"))
        .hasMessageContaining("server.loops");
  }
}
