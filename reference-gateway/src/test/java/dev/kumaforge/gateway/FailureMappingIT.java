package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Each upstream failure kind produces its mapped status and error body end to end. */
class FailureMappingIT {

  private static String config(String address, String backendExtra, String routeExtra) {
    return """
        backends:
          - name: b
            endpoints: [{address: "%s"}]
        %s
        routes:
          - name: r
            backendRefs: [{name: b}]
        %s
        """
        .formatted(address, backendExtra, routeExtra);
  }

  @BothTransports
  void connectErrorIs502(String transport) throws Exception {
    try (java.net.Socket dead = TestUpstream.refusingPort();
        GatewayFixture gw =
            new GatewayFixture(transport, config("127.0.0.1:" + dead.getLocalPort(), "", ""))) {
      HttpResponse<String> r = gw.get("/x");
      assertThat(r.statusCode()).isEqualTo(502);
      assertThat(r.body()).contains("\"code\":\"connect_error\"");
      assertThat(gw.adminGet("/metrics").body())
          .contains("gateway_upstream_failures_total{backend=\"b\",kind=\"connect_error\"} 1");
    }
  }

  @BothTransports
  void readTimeoutIs504(String transport) throws Exception {
    try (TestUpstream u = new TestUpstream("slow");
        GatewayFixture gw =
            new GatewayFixture(
                transport,
                config(u.address(), "    timeouts: {http: {requestTimeout: 300ms}}", ""))) {
      u.behave((ex, n) -> u.hang(ex));
      HttpResponse<String> r = gw.get("/x");
      assertThat(r.statusCode()).isEqualTo(504);
      assertThat(r.body()).contains("\"code\":\"read_timeout\"");
    }
  }

  @BothTransports
  void circuitOpenOnMaxRequestsIs503WithRetryAfter(String transport) throws Exception {
    try (TestUpstream u = new TestUpstream("busy");
        GatewayFixture gw =
            new GatewayFixture(
                transport,
                config(
                    u.address(),
                    "    circuitBreaker: {connectionLimits: {maxRequests: 1}}\n"
                        + "    timeouts: {http: {requestTimeout: 5s}}",
                    ""))) {
      u.behave((ex, n) -> u.hang(ex));
      CompletableFuture<HttpResponse<String>> first =
          gw.client.sendAsync(
              HttpRequest.newBuilder(URI.create(gw.url("/hang"))).build(),
              HttpResponse.BodyHandlers.ofString());
      org.awaitility.Awaitility.await().until(() -> u.count.get() == 1);
      HttpResponse<String> r = gw.get("/x");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.headers().firstValue("retry-after")).hasValue("1");
      assertThat(r.body()).contains("\"code\":\"circuit_open\"");
      u.stop();
      first.cancel(true);
    }
  }

  @BothTransports
  void poolOverflowIs503(String transport) throws Exception {
    try (TestUpstream u = new TestUpstream("hung");
        GatewayFixture gw =
            new GatewayFixture(
                transport,
                config(
                    u.address(),
                    "    connectionPool: {maxConnections: 1, maxOpenRequests: 1}\n"
                        + "    timeouts: {http: {requestTimeout: 5s}}",
                    ""))) {
      u.behave((ex, n) -> u.hang(ex));
      List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        all.add(
            gw.client.sendAsync(
                HttpRequest.newBuilder(URI.create(gw.url("/p" + i))).build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      org.awaitility.Awaitility.await()
          .until(() -> all.stream().filter(CompletableFuture::isDone).count() >= 4);
      List<HttpResponse<String>> done =
          all.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).toList();
      assertThat(done)
          .anySatisfy(
              r -> {
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.body()).contains("\"code\":\"pool_overflow\"");
              });
      u.stop();
    }
  }

  @Test
  void rateLimitedIs429WithHeaders() throws Exception {
    try (TestUpstream u = new TestUpstream("ok");
        GatewayFixture gw =
            new GatewayFixture(config(u.address(), "", "    rateLimit: {num: 2, interval: 1h}"))) {
      assertThat(gw.get("/a").statusCode()).isEqualTo(200);
      assertThat(gw.get("/a").statusCode()).isEqualTo(200);
      HttpResponse<String> r = gw.get("/a");
      assertThat(r.statusCode()).isEqualTo(429);
      assertThat(r.body()).contains("\"code\":\"rate_limited\"");
      assertThat(r.headers().firstValue("retry-after")).hasValue("1800");
      assertThat(r.headers().firstValue("ratelimit-limit")).hasValue("2");
      assertThat(r.headers().firstValue("ratelimit-remaining")).hasValue("0");
      assertThat(r.headers().firstValue("ratelimit-reset")).isPresent();
      assertThat(u.count.get()).isEqualTo(2);
    }
  }
}
