package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The peer's SETTINGS_MAX_CONCURRENT_STREAMS caps an h2c connection below the gateway's own
 * maxConcurrentStreams (1000 by default): a provider announcing 10 gets 40 concurrent streams over
 * at least 4 connections.
 */
class H2cPeerLimitIT {
  @Test
  void thePeersStreamLimitOpensMoreConnections() throws Exception {
    String providers =
        H2cUpstreamIT.PROVIDERS.replace(
            "    listen: 127.0.0.1:0\n    models:\n      - name: gpt-4o-mini",
            "    listen: 127.0.0.1:0\n    http2MaxConcurrentStreams: 10\n    models:\n"
                + "      - name: gpt-4o-mini");
    assertThat(providers).contains("http2MaxConcurrentStreams: 10");
    try (AiFixture f = new AiFixture(providers, "", H2cUpstreamIT.CATALOG, H2cUpstreamIT.H2C)) {
      int n = 40;
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        HttpRequest r =
            HttpRequest.newBuilder(URI.create(f.gw.url("/v1/chat/completions")))
                .timeout(Duration.ofSeconds(30))
                .header("authorization", "Bearer " + AiFixture.KEY_A)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(H2cUpstreamIT.ask("slow", true)))
                .build();
        calls.add(f.client.sendAsync(r, HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> c : calls) {
        HttpResponse<String> r = c.get(30, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).endsWith("data: [DONE]\n\n");
      }
      // never more than 10 streams on a connection, so never one connection for all 40
      assertThat(H2cUpstreamIT.metric(f, "openai", "forge_backend_connections_total", "h2c"))
          .isBetween(4.0, 40.0);
    }
  }
}
