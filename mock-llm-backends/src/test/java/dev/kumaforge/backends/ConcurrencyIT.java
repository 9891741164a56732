package dev.kumaforge.backends;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.backends.config.BackendsConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Slots, the bounded queue and the load-dependent slowdown. */
class ConcurrencyIT {
  static final String CONFIG =
      """
      providers:
        - name: openai
          listen: 127.0.0.1:0
          models:
            - name: m
              latency: {prefillOverhead: 300ms}
              output: {tokens: 1}
              concurrency: {slots: 1, queue: 1, rejectStatus: 503}
      """;

  static final String BODY =
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @Test
  void requestsBeyondTheSlotsWaitAndBeyondTheQueueAreRejected() throws Exception {
    try (MockBackends b = MockBackends.start(BackendsConfig.parse(CONFIG, "test"))) {
      String url = b.listeners().get("openai") + "/v1/chat/completions";
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      long start = System.nanoTime();
      List<CompletableFuture<Long>> done = new ArrayList<>();
      List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        HttpRequest req =
            HttpRequest.newBuilder(URI.create(url))
                .header("authorization", "Bearer k")
                .POST(HttpRequest.BodyPublishers.ofString(BODY))
                .build();
        CompletableFuture<HttpResponse<String>> f =
            client.sendAsync(req, HttpResponse.BodyHandlers.ofString());
        all.add(f);
        done.add(f.thenApply(r -> (System.nanoTime() - start) / 1_000_000));
        if (i == 0) {
          // make sure the first request holds the slot before the others arrive
          String stats = b.listeners().get("openai") + "/admin/stats";
          org.awaitility.Awaitility.await()
              .until(
                  () -> Http.json(Http.get(stats)).get("models").get(0).get("active").asInt() == 1);
        }
      }
      List<Integer> statuses = new ArrayList<>();
      for (CompletableFuture<HttpResponse<String>> f : all) {
        statuses.add(f.get().statusCode());
      }
      assertThat(statuses).containsExactlyInAnyOrder(200, 200, 503);
      // The queued request starts its 300 ms only when the first frees the slot: a lower bound.
      long slowest = 0;
      for (int i = 0; i < 3; i++) {
        if (all.get(i).get().statusCode() == 200) {
          slowest = Math.max(slowest, done.get(i).get());
        }
      }
      assertThat(slowest).isGreaterThanOrEqualTo(580);
      JsonNode totals =
          Http.json(Http.get(b.listeners().get("openai") + "/admin/stats")).get("totals");
      assertThat(totals.get("requests").asInt()).isEqualTo(3);
      assertThat(totals.get("errors").asInt()).isEqualTo(1);
    }
  }

  @Test
  void latencyGrowsWithActiveSequences() throws Exception {
    String yaml =
        CONFIG.replace(
            "{slots: 1, queue: 1, rejectStatus: 503}", "{slots: 4, slowdownPerActive: 1.0}");
    try (MockBackends b = MockBackends.start(BackendsConfig.parse(yaml, "test"))) {
      String url = b.listeners().get("openai") + "/v1/chat/completions";
      long start = System.nanoTime();
      List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      for (int i = 0; i < 2; i++) {
        HttpRequest req =
            HttpRequest.newBuilder(URI.create(url))
                .header("authorization", "Bearer k")
                .POST(HttpRequest.BodyPublishers.ofString(BODY))
                .build();
        all.add(client.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> f : all) {
        assertThat(f.get().statusCode()).isEqualTo(200);
      }
      // The second active sequence runs at half speed: 600 ms instead of 300 ms (lower bound).
      assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(580);
      assertThat(Http.get(b.listeners().get("openai") + "/health/ready").statusCode())
          .isEqualTo(200);
    }
  }
}
