package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kumaforge.gateway.H2cTestServer.Answer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * MeshHealthCheck of an h2c backend against h2c-only servers ({@link H2cTestServer} refuses
 * HTTP/1.1): the checks speak HTTP/2 with prior knowledge, a failing endpoint leaves the rotation
 * and returns.
 */
class HealthCheckH2cIT {

  @Test
  void h2cHealthChecksEjectAndRestoreAnH2cOnlyEndpoint() throws Exception {
    AtomicBoolean sick = new AtomicBoolean();
    try (H2cTestServer a = new H2cTestServer();
        H2cTestServer b = new H2cTestServer()) {
      a.behave(
          (r, n) ->
              r.path().equals("/healthz") && sick.get()
                  ? Answer.respond(503, "{}")
                  : Answer.respond(200, "{\"upstream\":\"a\"}"));
      b.behave((r, n) -> Answer.respond(200, "{\"upstream\":\"b\"}"));
      try (GatewayFixture gw =
          new GatewayFixture(
              """
              backends:
                - name: pool
                  protocol: h2c
                  endpoints: [{address: "%s"}, {address: "%s"}]
                  healthCheck:
                    interval: 100ms
                    timeout: 1s
                    unhealthyThreshold: 2
                    healthyThreshold: 2
                    http: {path: /healthz, expectedStatuses: [200, 204]}
              routes:
                - name: r
                  backendRefs: [{name: pool}]
              """
                  .formatted(a.address(), b.address()))) {
        // both pass over h2c: traffic reaches both
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> a.seen.stream().filter(s -> s.path().equals("/healthz")).count() >= 2);
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> gw.get("/x").body().equals("{\"upstream\":\"a\"}"));
        sick.set(true);
        String healthy =
            "gateway_endpoint_healthy{backend=\"pool\",endpoint=\"" + a.address() + "\"}";
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> gw.adminGet("/metrics").body().contains(healthy + " "));
        assertThat(H2cRefusedStreamIT.metric(gw, healthy)).isZero();
        for (int i = 0; i < 10; i++) {
          assertThat(gw.get("/x").body()).isEqualTo("{\"upstream\":\"b\"}");
        }
        sick.set(false);
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> gw.get("/x").body().equals("{\"upstream\":\"a\"}"));
        // the checks of each endpoint share one connection besides the traffic's one
        assertThat(a.connections.get()).isBetween(2, 3);
      }
    }
  }
}
