package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * MeshCircuitBreaker maxPendingRequests (RELIABILITY.md item 17): at 3x capacity the excess is shed
 * at once with 503 pool_overflow while the upstream still holds the admitted requests, and the
 * gateway recovers.
 */
class LoadSheddingIT {

  @Test
  void excessOverPendingLimitIsShedFastAndTheGatewayRecovers() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (TestUpstream u = new TestUpstream("slow");
        GatewayFixture gw =
            new GatewayFixture(
                """
                backends:
                  - name: b
                    endpoints: [{address: "%s"}]
                    connectionPool: {maxConnections: 2}
                    circuitBreaker:
                      connectionLimits: {maxPendingRequests: 2}
                routes:
                  - name: r
                    backendRefs: [{name: b}]
                """
                    .formatted(u.address()))) {
      u.behave(
          (ex, n) -> {
            release.await(30, TimeUnit.SECONDS);
            TestUpstream.respond(ex, 200, "{}");
          });
      // capacity: 2 connections + 2 pending = 4; offered: 12
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        calls.add(
            gw.client.sendAsync(
                HttpRequest.newBuilder(URI.create(gw.url("/x"))).GET().build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      // every shed request is answered while the upstream still holds the admitted ones
      await()
          .pollDelay(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(10))
          .until(() -> calls.stream().filter(CompletableFuture::isDone).count() >= 7);
      List<HttpResponse<String>> shed =
          calls.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).toList();
      assertThat(release.getCount()).isEqualTo(1);
      assertThat(shed)
          .allSatisfy(
              r -> {
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.body()).contains("\"code\":\"pool_overflow\"", "maxPendingRequests");
              });

      release.countDown();
      long ok =
          calls.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 200).count();
      // check-then-act on two dispatcher threads may admit one more than the limit
      assertThat(ok).isBetween(4L, 5L).isEqualTo(12L - shed.size());
      assertThat(u.count.get()).isEqualTo((int) ok);

      // recovered: the next requests are served
      for (int i = 0; i < 5; i++) {
        assertThat(gw.get("/x").statusCode()).isEqualTo(200);
      }
      assertThat(gw.adminGet("/metrics").body())
          .contains("gateway_upstream_failures_total{backend=\"b\",kind=\"pool_overflow\"}");
    }
  }
}
