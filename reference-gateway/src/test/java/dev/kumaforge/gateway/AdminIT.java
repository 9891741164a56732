package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.gateway.consumer.ApiKeyHash;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdminIT {
  private static String config(String address, String prefix) {
    return """
        backends:
          - name: api
            endpoints: [{address: "%s"}]
        routes:
          - name: main
            matches:
              - path: {type: PathPrefix, value: %s}
                headers: [{name: authorization, value: "Bearer sk-very-secret"}]
              - path: {type: PathPrefix, value: %s}
            backendRefs: [{name: api}]
        """
        .formatted(address, prefix, prefix);
  }

  @Test
  void liveReadyMetricsAndRedactedConfig() throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        GatewayFixture gw = new GatewayFixture(config(u.address(), "/v1"))) {
      assertThat(gw.adminGet("/live").statusCode()).isEqualTo(200);
      assertThat(gw.adminGet("/ready").body()).isEqualTo("{\"status\":\"ready\"}");
      assertThat(gw.get("/v1/x").statusCode()).isEqualTo(200);
      assertThat(gw.get("/nope").statusCode()).isEqualTo(404);
      HttpResponse<String> metrics = gw.adminGet("/metrics");
      assertThat(metrics.headers().firstValue("content-type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      assertThat(metrics.body())
          .contains("gateway_requests_total{route=\"main\",status=\"200\"} 1")
          .contains("gateway_requests_total{route=\"_none\",status=\"404\"} 1")
          .contains("gateway_request_duration_seconds_bucket{route=\"main\",le=\"+Inf\"} 1")
          .contains("gateway_config_version 1");
      String config = gw.adminGet("/config").body();
      assertThat(config)
          .contains("\"version\":1")
          .contains("\"requestTimeout\":\"15s\"")
          .contains("<redacted>")
          .doesNotContain("sk-very-secret");
      assertThat(gw.adminGet("/nothing").statusCode()).isEqualTo(404);
      assertThat(gw.adminPost("/metrics", "").statusCode()).isEqualTo(405);
    }
  }

  @Test
  void reloadSwapsAtomicallyAndAnInvalidReloadChangesNothing() throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        GatewayFixture gw = new GatewayFixture(config(u.address(), "/v1"))) {
      assertThat(gw.get("/v2/x").statusCode()).isEqualTo(404);

      HttpResponse<String> ok =
          gw.adminPost("/reload", GatewayFixture.LISTENERS + config(u.address(), "/v2"));
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("{\"status\":\"reloaded\",\"version\":2}");
      assertThat(gw.get("/v2/x").statusCode()).isEqualTo(200);
      assertThat(gw.get("/v1/x").statusCode()).isEqualTo(404);

      String invalid =
          GatewayFixture.LISTENERS
              + config(u.address(), "/v3").replace("name: api}]\n", "name: ghost}]\n")
              + "    rateLimit: {num: -5}\n";
      HttpResponse<String> bad = gw.adminPost("/reload", invalid);
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body())
          .contains("\"code\":\"invalid_config\"")
          .contains("version 2) keeps serving")
          .contains("routes[0].backendRefs[0].name: 'ghost'")
          .contains("routes[0].rateLimit.num: -5 (expected: >= 1)");
      assertThat(gw.get("/v2/x").statusCode()).isEqualTo(200);
      assertThat(gw.get("/v3/x").statusCode()).isEqualTo(404);
      assertThat(gw.adminGet("/config").body()).contains("\"version\":2");
      assertThat(gw.adminPost("/reload", "").statusCode()).isEqualTo(400);
      assertThat(gw.adminGet("/metrics").body())
          .contains("gateway_config_reloads_total{result=\"success\"} 1")
          .contains("gateway_config_reloads_total{result=\"rejected\"} 2")
          .contains("gateway_config_version 2");
    }
  }

  @Test
  void thePublicListenerNeverServesAdminEndpoints() throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        GatewayFixture gw = new GatewayFixture(config(u.address(), "/"))) {
      for (String path : List.of("/reload", "/config", "/metrics", "/ready", "/live")) {
        HttpResponse<String> r = gw.post(path, "");
        assertThat(r.body()).as(path).isEqualTo("{\"upstream\":\"u\"}");
      }
      assertThat(u.count.get()).as("all went to the backend").isEqualTo(5);
      assertThat(gw.adminGet("/config").body()).contains("\"version\":1");
    }
  }

  @Test
  void anAdminTokenIsCheckedOnEveryAdminRequest() throws Exception {
    String token = "admin-canary-token-5c2e";
    try (TestUpstream u = new TestUpstream("u")) {
      String yaml =
          """
          listeners:
            public: {address: "127.0.0.1:0"}
            admin:
              address: "127.0.0.1:0"
              authentication: {tokenHash: "%s"}
          """
                  .formatted(ApiKeyHash.hash(token))
              + config(u.address(), "/v1");
      try (Gateway gateway = Gateway.start(GatewayConfig.parse(yaml, "test"))) {
        String admin = gateway.listeners().get("admin");
        HttpClient client = HttpClient.newHttpClient();
        for (String path : List.of("/live", "/metrics", "/config")) {
          HttpResponse<String> none =
              client.send(
                  HttpRequest.newBuilder(URI.create(admin + path)).build(),
                  HttpResponse.BodyHandlers.ofString());
          assertThat(none.statusCode()).as(path).isEqualTo(401);
          assertThat(none.headers().firstValue("www-authenticate"))
              .hasValue("Bearer realm=\"forge-admin\"");
          HttpResponse<String> wrong =
              client.send(
                  HttpRequest.newBuilder(URI.create(admin + path))
                      .header("Authorization", "Bearer not-" + token)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          assertThat(wrong.statusCode()).isEqualTo(401);
          HttpResponse<String> ok =
              client.send(
                  HttpRequest.newBuilder(URI.create(admin + path))
                      .header("Authorization", "Bearer " + token)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          assertThat(ok.statusCode()).isEqualTo(200);
          assertThat(ok.body()).doesNotContain(token);
        }
        HttpResponse<String> reload =
            client.send(
                HttpRequest.newBuilder(URI.create(admin + "/reload"))
                    .POST(HttpRequest.BodyPublishers.ofString(yaml))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(reload.statusCode()).isEqualTo(401);
        assertThat(gateway.snapshot().version()).isEqualTo(1);
      }
    }
  }
}
