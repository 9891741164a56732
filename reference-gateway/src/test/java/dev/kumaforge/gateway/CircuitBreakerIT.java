package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Outlier detection through real sockets: ejection, 503 with Retry-After, half-open, return. */
class CircuitBreakerIT {

  @BothTransports
  void opensAfterConsecutiveGatewayErrorsThenHalfOpensAndCloses(String transport) throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        GatewayFixture gw =
            new GatewayFixture(
                transport,
                """
                backends:
                  - name: b
                    endpoints: [{address: "%s"}]
                    circuitBreaker:
                      outlierDetection:
                        baseEjectionTime: 1s
                        detectors: {gatewayFailures: {consecutive: 3}}
                routes:
                  - name: r
                    backendRefs: [{name: b}]
                """
                    .formatted(u.address()))) {
      u.behave((ex, n) -> TestUpstream.respond(ex, 502, "{}"));
      for (int i = 0; i < 3; i++) {
        assertThat(gw.get("/x").statusCode()).isEqualTo(502);
      }
      HttpResponse<String> open = gw.get("/x");
      assertThat(open.statusCode()).isEqualTo(503);
      assertThat(open.body()).contains("\"code\":\"circuit_open\"");
      assertThat(open.headers().firstValue("retry-after")).hasValue("1");
      assertThat(u.count.get()).isEqualTo(3);
      assertThat(gw.adminGet("/metrics").body())
          .contains("gateway_backend_endpoints_unavailable{backend=\"b\"} 1")
          .contains("gateway_backend_requests_active{backend=\"b\"} 0");

      // half-open after 1s: the first failure ejects again at once (now for 2s)
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> gw.get("/x").statusCode() == 502);
      assertThat(u.count.get()).isEqualTo(4);
      HttpResponse<String> again = gw.get("/x");
      assertThat(again.statusCode()).isEqualTo(503);
      assertThat(again.headers().firstValue("retry-after")).hasValue("2");

      // the upstream recovers: after the ejection the first success closes the circuit
      u.behave((ex, n) -> TestUpstream.respond(ex, 200, "{}"));
      await()
          .atMost(Duration.ofSeconds(6))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> gw.get("/x").statusCode() == 200);
      for (int i = 0; i < 5; i++) {
        assertThat(gw.get("/x").statusCode()).isEqualTo(200);
      }
      assertThat(gw.adminGet("/metrics").body())
          .contains(
              "gateway_outlier_ejections_total{backend=\"b\",endpoint=\"" + u.address() + "\"} 2")
          .contains("gateway_upstream_failures_total{backend=\"b\",kind=\"circuit_open\"}");
    }
  }

  @BothTransports
  void ejectedEndpointGetsNoTrafficWhileOthersServe(String transport) throws Exception {
    try (TestUpstream bad = new TestUpstream("bad");
        TestUpstream good = new TestUpstream("good");
        GatewayFixture gw =
            new GatewayFixture(
                transport,
                """
                backends:
                  - name: b
                    endpoints: [{address: "%s"}, {address: "%s"}]
                    circuitBreaker:
                      outlierDetection:
                        detectors: {totalFailures: {consecutive: 2}}
                routes:
                  - name: r
                    backendRefs: [{name: b}]
                """
                    .formatted(bad.address(), good.address()))) {
      bad.behave((ex, n) -> TestUpstream.respond(ex, 500, "{}"));
      int failures = 0;
      for (int i = 0; i < 20; i++) {
        if (gw.get("/x").statusCode() != 200) {
          failures++;
        }
      }
      assertThat(failures).isEqualTo(2);
      assertThat(bad.count.get()).isEqualTo(2);
      assertThat(good.count.get()).isEqualTo(18);
    }
  }

  @Test
  void failurePercentageDetectorEjectsOnItsInterval() throws Exception {
    try (TestUpstream bad = new TestUpstream("bad");
        TestUpstream good = new TestUpstream("good");
        GatewayFixture gw =
            new GatewayFixture(
                """
                backends:
                  - name: b
                    endpoints: [{address: "%s"}, {address: "%s"}]
                    circuitBreaker:
                      outlierDetection:
                        interval: 200ms
                        maxEjectionPercent: 50
                        detectors:
                          totalFailures: {consecutive: 1000}
                          gatewayFailures: {consecutive: 1000}
                          failurePercentage: {threshold: 50, requestVolume: 3, minimumHosts: 2}
                routes:
                  - name: r
                    backendRefs: [{name: b}]
                """
                    .formatted(bad.address(), good.address()))) {
      bad.behave((ex, n) -> TestUpstream.respond(ex, 500, "{}"));
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () -> {
                for (int i = 0; i < 10; i++) {
                  gw.get("/x");
                }
                return gw.adminGet("/metrics")
                    .body()
                    .contains(
                        "gateway_outlier_ejections_total{backend=\"b\",endpoint=\""
                            + bad.address()
                            + "\"} 1");
              });
      int before = bad.count.get();
      for (int i = 0; i < 10; i++) {
        assertThat(gw.get("/x").statusCode()).isEqualTo(200);
      }
      assertThat(bad.count.get()).isEqualTo(before);
    }
  }
}
