package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Reloads while traffic flows at about 2,000 req/s: no request may fail. */
class ReloadUnderLoadIT {
  /** A fast upstream (Pekko HTTP) answering every request with a small JSON body. */
  private static final class FastUpstream implements AutoCloseable {
    final org.apache.pekko.actor.ActorSystem system =
        org.apache.pekko.actor.ActorSystem.create("upstream", Gateway.pekkoConfig());
    final AtomicInteger count = new AtomicInteger();
    final org.apache.pekko.http.javadsl.ServerBinding binding;

    FastUpstream(String name) throws Exception {
      org.apache.pekko.japi.function.Function<
              org.apache.pekko.http.javadsl.model.HttpRequest,
              java.util.concurrent.CompletionStage<
                  org.apache.pekko.http.javadsl.model.HttpResponse>>
          handler =
              r -> {
                r.discardEntityBytes(system);
                count.incrementAndGet();
                return java.util.concurrent.CompletableFuture.completedFuture(
                    org.apache.pekko.http.javadsl.model.HttpResponse.create()
                        .withEntity(
                            org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON,
                            "{\"upstream\":\"" + name + "\"}"));
              };
      binding =
          org.apache.pekko.http.javadsl.Http.get(system)
              .newServerAt("127.0.0.1", 0)
              .bind(handler)
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
    }

    String address() {
      return "127.0.0.1:" + binding.localAddress().getPort();
    }

    @Override
    public void close() {
      system.terminate();
    }
  }

  private static String config(FastUpstream target) {
    return """
        backends:
          - name: b
            endpoints: [{address: "%s"}]
        routes:
          - name: r
            matches: [{path: {type: PathPrefix, value: /}}]
            backendRefs: [{name: b}]
        """
        .formatted(target.address());
  }

  @Test
  void reloadsUnderLoadFailNoRequest() throws Exception {
    ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    try (FastUpstream a = new FastUpstream("a");
        FastUpstream b = new FastUpstream("b");
        GatewayFixture gw = new GatewayFixture(config(a))) {
      HttpRequest request = HttpRequest.newBuilder(URI.create(gw.url("/v1/x"))).build();
      Semaphore inFlight = new Semaphore(256);
      AtomicInteger sent = new AtomicInteger();
      AtomicInteger skipped = new AtomicInteger();
      Map<String, Integer> outcomes = new ConcurrentHashMap<>();
      // 2 requests every millisecond = 2,000 req/s for 3 s
      var task =
          pacer.scheduleAtFixedRate(
              () -> {
                for (int i = 0; i < 2; i++) {
                  if (!inFlight.tryAcquire()) {
                    skipped.incrementAndGet();
                    continue;
                  }
                  sent.incrementAndGet();
                  gw.client
                      .sendAsync(request, HttpResponse.BodyHandlers.ofString())
                      .whenComplete(
                          (r, e) -> {
                            String key =
                                e != null ? e.getClass().getSimpleName() : "" + r.statusCode();
                            outcomes.merge(key, 1, Integer::sum);
                            inFlight.release();
                          });
                }
              },
              0,
              1,
              TimeUnit.MILLISECONDS);
      for (int i = 0; i < 10; i++) {
        Thread.sleep(250);
        HttpResponse<String> r =
            gw.adminPost("/reload", GatewayFixture.LISTENERS + config(i % 2 == 0 ? b : a));
        assertThat(r.statusCode()).isEqualTo(200);
      }
      task.cancel(false);
      pacer.shutdown();
      pacer.awaitTermination(5, TimeUnit.SECONDS);
      org.awaitility.Awaitility.await().until(() -> inFlight.availablePermits() == 256);
      assertThat(outcomes).containsOnlyKeys("200");
      assertThat(outcomes.get("200")).isEqualTo(sent.get());
      assertThat(sent.get()).isGreaterThan(1000);
      assertThat(a.count.get()).isPositive();
      assertThat(b.count.get()).isPositive();
      System.out.printf(
          "reload under load: %d requests ok, %d not sent (client saturated)%n",
          sent.get(), skipped.get());
    } finally {
      pacer.shutdownNow();
    }
  }
}
