package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two gateway replicas share consumer limits and a budget through a real Redis ({@code
 * ai.accounting}): together they admit exactly what one gateway would, by the providers' ledger.
 */
class AiSharedAccountingIT {
  private static String catalog(RedisServer redis, String failureMode) {
    return AiAccountingIT.CATALOG.replace(
            "ai:\n",
            "ai:\n  accounting: {redis: main, timeout: 2s, failureMode: " + failureMode + "}\n")
        + "redis:\n  main: {uri: \""
        + redis.uri()
        + "\"}\n";
  }

  private static HttpResponse<String> chat(
      AiFixture f, GatewayFixture gw, String model, int maxTokens) {
    return f.send(
        "POST",
        gw.url("/v1/chat/completions"),
        AiAccountingIT.ASK.formatted(model, maxTokens, ""),
        Map.of("Authorization", "Bearer " + AiFixture.KEY_A, "content-type", "application/json"));
  }

  @Test
  void twoReplicasSpendOneBudget() {
    String budget = "    budget: {usd: 0.0001, period: 24h}\n";
    try (RedisServer redis = RedisServer.start();
        AiFixture f = new AiFixture(budget, catalog(redis, "Closed"));
        GatewayFixture replica =
            new GatewayFixture(f.gatewayYaml(budget, catalog(redis, "Closed")))) {
      GatewayFixture[] replicas = {f.gw, replica};
      int ok = 0;
      HttpResponse<String> r;
      while ((r = chat(f, replicas[ok % 2], "pricey", 5)).statusCode() == 200) {
        ok++;
        assertThat(ok).isLessThan(20);
      }
      assertThat(r.statusCode()).isEqualTo(429);
      JsonNode error = AiFixture.parse(r.body()).path("error");
      assertThat(error.path("code").asText()).isEqualTo("budget_exceeded");
      assertThat(error.path("message").asText()).contains("shared by all replicas");
      // the other replica refuses too
      assertThat(chat(f, replicas[(ok + 1) % 2], "pricey", 5).statusCode()).isEqualTo(429);
      JsonNode ledger = AiAccountingIT.ledger(f).get("openai/gpt-4o");
      assertThat(ledger.path("requests").asLong()).isEqualTo(ok);
      // exactly as many requests as one gateway admits: each request costs the same
      double each = ledger.path("cost_usd").asDouble() / ok;
      assertThat(ok).isEqualTo((int) Math.ceil(0.0001 / each - 1e-9));
      assertThat(ok).as("both replicas spent").isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void tokensPerMinuteArePreChargedOnOneReplicaAndReconciledForTheOther() {
    // estimate 71 (prompt 11 + max_tokens 60), actual 15 (as in AiAccountingIT), across replicas
    String limits = "    limits: {tpm: 100, rpm: 10}\n";
    try (RedisServer redis = RedisServer.start();
        AiFixture f = new AiFixture(limits, catalog(redis, "Open"));
        GatewayFixture replica =
            new GatewayFixture(f.gatewayYaml(limits, catalog(redis, "Open")))) {
      assertThat(chat(f, f.gw, "gpt-4o-mini", 60).statusCode()).isEqualTo(200);
      assertThat(chat(f, replica, "gpt-4o-mini", 60).statusCode()).isEqualTo(200);
      // the bucket holds 30 tokens (2 x 15), 0.6 s each until it is full again: without the
      // reconciliation it would hold 142 (2 x 71) and be over the limit
      try (RedisClient rc = RedisClient.create(redis.uri());
          StatefulRedisConnection<String, String> c = rc.connect()) {
        long ttl = c.sync().pttl("forge:ai:tpm:team-a");
        assertThat(ttl).isPositive().isLessThanOrEqualTo(30 * 600 + 1);
        assertThat(c.sync().pttl("forge:ai:rpm:team-a")).isPositive();
      }
      // one request above the whole limit is refused by either replica
      HttpResponse<String> r = chat(f, replica, "gpt-4o-mini", 500);
      assertThat(r.statusCode()).isEqualTo(429);
      assertThat(r.body()).contains("100 tokens per minute", "estimated at 511 tokens");
      assertThat(f.providerStats("openai").path("totals").path("requests").asLong()).isEqualTo(2);
    }
  }

  @Test
  @SuppressWarnings(
      "try") // Redis is stopped on purpose mid-test; try-with-resources closes it again
  void withoutRedisClosedRefusesWith503() {
    String limits = "    limits: {rpm: 10}\n";
    try (RedisServer redis = RedisServer.start();
        AiFixture f = new AiFixture(limits, catalog(redis, "Closed"))) {
      assertThat(chat(f, f.gw, "gpt-4o-mini", 5).statusCode()).isEqualTo(200);
      redis.close();
      HttpResponse<String> r = chat(f, f.gw, "gpt-4o-mini", 5);
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).contains("limits_unavailable");
      // a consumer without limits or budget needs no Redis
      assertThat(
              f.send(
                      "POST",
                      f.gw.url("/v1/chat/completions"),
                      AiAccountingIT.ASK.formatted("gpt-4o-mini", 5, ""),
                      Map.of(
                          "Authorization",
                          "Bearer " + AiFixture.KEY_B,
                          "content-type",
                          "application/json"))
                  .statusCode())
          .isEqualTo(200);
    }
  }
}
