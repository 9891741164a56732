package dev.kumaforge.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GatewayMetricsTest {
  @Test
  void requestsAreCountedByRouteAndStatus() {
    GatewayMetrics m = new GatewayMetrics();
    m.request("a", 200, 1_000_000);
    m.request("a", 200, 2_000_000);
    m.request("a", 503, 1_000_000);
    m.request("b", 200, 1_000_000);
    m.request("a", 999, 1_000_000); // outside the per-status array
    m.request("a", 999, 1_000_000);
    String text = m.scrape();
    assertThat(text)
        .contains("gateway_requests_total{route=\"a\",status=\"200\"} 2")
        .contains("gateway_requests_total{route=\"a\",status=\"503\"} 1")
        .contains("gateway_requests_total{route=\"b\",status=\"200\"} 1")
        .contains("gateway_requests_total{route=\"a\",status=\"999\"} 2");
    assertThat(text).containsPattern("gateway_request_duration_seconds_count\\{route=\"a\"\\} 5");
  }
}
