package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Shared (Redis) rate limits in one gateway against a real redis-server: 429 with Retry-After and
 * RateLimit-* headers, a TTL on every key, the NOSCRIPT fallback, and both failure modes once Redis
 * is gone. Three replicas under load and a Redis restart are in the harness's
 * SharedRateLimitProcessesIT.
 */
class SharedRateLimitIT {
  private static String config(String redisUri, String upstream) {
    return """
        redis:
          main: {uri: "%s"}
        backends:
          - name: api
            endpoints: [{address: "%s"}]
        routes:
          - name: tenant
            matches: [{path: {type: PathPrefix, value: /tenant}}]
            backendRefs: [{name: api}]
            rateLimit:
              num: 3
              interval: 1m
              key: Header
              header: x-tenant
              shared: {redis: main, timeout: 200ms}
          - name: open
            matches: [{path: {type: PathPrefix, value: /open}}]
            backendRefs: [{name: api}]
            rateLimit:
              num: 1000
              shared: {redis: main, timeout: 200ms, localCap: {num: 2, interval: 1m}}
          - name: closed
            matches: [{path: {type: PathPrefix, value: /closed}}]
            backendRefs: [{name: api}]
            rateLimit:
              num: 1000
              shared: {redis: main, timeout: 200ms, failureMode: Closed}
          - name: free
            matches: [{path: {type: PathPrefix, value: /}}]
            backendRefs: [{name: api}]
        """
        .formatted(redisUri, upstream);
  }

  private static HttpResponse<String> get(GatewayFixture gw, String path, String tenant) {
    return gw.send(
        HttpRequest.newBuilder(URI.create(gw.url(path))).header("x-tenant", tenant).GET().build());
  }

  @Test
  void refusesOverTheSharedLimitWithHeadersAndEveryKeyHasATtl() throws Exception {
    try (RedisServer redis = RedisServer.start();
        TestUpstream up = new TestUpstream("api");
        GatewayFixture gw = new GatewayFixture(config(redis.uri(), up.address()));
        RedisClient client = RedisClient.create(redis.uri());
        StatefulRedisConnection<String, String> conn = client.connect()) {
      for (int i = 0; i < 3; i++) {
        assertThat(get(gw, "/tenant", "a").statusCode()).isEqualTo(200);
      }
      HttpResponse<String> refused = get(gw, "/tenant", "a");
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(refused.body()).contains("shared rate limit of route tenant");
      // one token per 20 s: the next one comes in at most 20 s
      assertThat(refused.headers().firstValueAsLong("retry-after").orElseThrow())
          .isBetween(1L, 20L);
      assertThat(refused.headers().firstValue("ratelimit-limit")).hasValue("3");
      assertThat(refused.headers().firstValue("ratelimit-remaining")).hasValue("0");
      assertThat(refused.headers().firstValueAsLong("ratelimit-reset").orElseThrow())
          .isBetween(1L, 60L);
      assertThat(get(gw, "/tenant", "b").statusCode()).isEqualTo(200);
      assertThat(get(gw, "/open", "a").statusCode()).isEqualTo(200);

      RedisCommands<String, String> sync = conn.sync();
      List<String> keys = new ArrayList<>();
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page = sync.scan(cursor, ScanArgs.Builder.matches("*").limit(100));
        keys.addAll(page.getKeys());
        cursor = page;
      } while (!cursor.isFinished());
      // forge:rl:open: (1000/s) is full again, and gone, 2 ms after its request
      assertThat(keys)
          .contains("forge:rl:tenant:a", "forge:rl:tenant:b")
          .allMatch(k -> k.startsWith("forge:rl:"));
      for (String k : keys) {
        assertThat(sync.pttl(k)).as(k).isPositive();
      }

      // a restarted or flushed Redis does not know the script: EVALSHA fails, EVAL follows
      sync.scriptFlush();
      assertThat(get(gw, "/tenant", "a").statusCode()).isEqualTo(429);
      assertThat(get(gw, "/tenant", "c").statusCode()).isEqualTo(200);
      assertThat(gw.adminGet("/metrics").body())
          .contains("gateway_ratelimit_decisions_total{result=\"refused\",route=\"tenant\"} 2.0")
          .doesNotContain("gateway_ratelimit_redis_errors_total{");
    }
  }

  @Test
  @SuppressWarnings(
      "try") // Redis is stopped on purpose mid-test; try-with-resources closes it again
  void withoutRedisOpenFollowsTheLocalCapClosedRefusesAndOtherRoutesAreUnaffected()
      throws Exception {
    try (RedisServer redis = RedisServer.start();
        TestUpstream up = new TestUpstream("api");
        GatewayFixture gw = new GatewayFixture(config(redis.uri(), up.address()))) {
      assertThat(get(gw, "/closed", "a").statusCode()).isEqualTo(200);
      redis.close();
      HttpResponse<String> closed = get(gw, "/closed", "a");
      assertThat(closed.statusCode()).isEqualTo(503);
      assertThat(closed.body()).contains("rate_limiter_unavailable");
      assertThat(closed.headers().firstValue("retry-after")).hasValue("1");
      assertThat(get(gw, "/open", "a").statusCode()).isEqualTo(200);
      assertThat(get(gw, "/open", "a").statusCode()).isEqualTo(200);
      HttpResponse<String> capped = get(gw, "/open", "a");
      assertThat(capped.statusCode()).isEqualTo(429);
      assertThat(capped.headers().firstValue("retry-after")).isPresent();
      assertThat(get(gw, "/other", "a").statusCode()).isEqualTo(200);
      String metrics = gw.adminGet("/metrics").body();
      assertThat(metrics)
          .contains("gateway_ratelimit_decisions_total{result=\"unavailable\",route=\"closed\"}")
          .contains("gateway_ratelimit_decisions_total{result=\"fallback_allowed\",route=\"open\"}")
          .contains("gateway_ratelimit_decisions_total{result=\"fallback_refused\",route=\"open\"}")
          .contains("gateway_ratelimit_redis_errors_total{kind=\"error\",redis=\"main\"}");
    }
  }
}
