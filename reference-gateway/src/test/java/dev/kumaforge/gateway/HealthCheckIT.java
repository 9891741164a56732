package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** MeshHealthCheck through real sockets: a failing endpoint leaves the rotation and returns. */
class HealthCheckIT {

  @Test
  void failingHealthChecksEjectAndPassingOnesRestore() throws Exception {
    AtomicBoolean sick = new AtomicBoolean();
    try (TestUpstream a = new TestUpstream("a");
        TestUpstream b = new TestUpstream("b");
        GatewayFixture gw =
            new GatewayFixture(
                """
                backends:
                  - name: pool
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
      a.behave(
          (ex, n) -> {
            boolean health = ex.getRequestURI().getPath().equals("/healthz");
            TestUpstream.respond(ex, health && sick.get() ? 503 : 200, "{\"upstream\":\"a\"}");
          });
      sick.set(true);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> gw.adminGet("/metrics").body().contains("gateway_endpoint_healthy"));
      for (int i = 0; i < 10; i++) {
        assertThat(gw.get("/x").body()).isEqualTo("{\"upstream\":\"b\"}");
      }
      sick.set(false);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> gw.get("/x").body().equals("{\"upstream\":\"a\"}"));
      assertThat(a.seen).anySatisfy(s -> assertThat(s.path()).isEqualTo("/healthz"));
    }
  }
}
