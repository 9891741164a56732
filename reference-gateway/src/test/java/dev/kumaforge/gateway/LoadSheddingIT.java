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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
      AtomicBoolean released = new AtomicBoolean();
      List<CompletableFuture<Outcome>> calls = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        calls.add(
            gw.client
                .sendAsync(
                    HttpRequest.newBuilder(URI.create(gw.url("/x"))).GET().build(),
                    HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> new Outcome(r, !released.get())));
      }
      // the shed requests are answered while the upstream still holds the admitted ones
      AtomicLong lastDone = new AtomicLong(-1);
      await()
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(100))
          .during(Duration.ofMillis(500))
          .until(
              () -> {
                long done = calls.stream().filter(CompletableFuture::isDone).count();
                return done >= 7 && done == lastDone.getAndSet(done);
              });
      released.set(true);
      release.countDown();
      List<Outcome> outcomes = calls.stream().map(CompletableFuture::join).toList();
      List<Outcome> shed = outcomes.stream().filter(o -> o.response.statusCode() != 200).toList();
      assertThat(shed)
          .allSatisfy(
              o -> {
                assertThat(o.response.statusCode()).isEqualTo(503);
                assertThat(o.response.body())
                    .contains("\"code\":\"pool_overflow\"", "maxPendingRequests");
                assertThat(o.beforeRelease).as("answered before the upstream answered").isTrue();
              });
      // check-then-act on two dispatcher threads may admit one more than the limit
      long ok = outcomes.size() - shed.size();
      assertThat(ok).isBetween(4L, 5L);
      assertThat(u.count.get()).isEqualTo((int) ok);
      assertThat(outcomes)
          .filteredOn(o -> o.response.statusCode() == 200)
          .allSatisfy(o -> assertThat(o.beforeRelease).isFalse());

      // recovered: the next requests are served
      for (int i = 0; i < 5; i++) {
        assertThat(gw.get("/x").statusCode()).isEqualTo(200);
      }
      assertThat(gw.adminGet("/metrics").body())
          .contains("gateway_upstream_failures_total{backend=\"b\",kind=\"pool_overflow\"}");
    }
  }

  /** A response and whether it arrived before the upstream was released. */
  private record Outcome(HttpResponse<String> response, boolean beforeRelease) {}
}
