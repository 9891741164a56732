package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Usage, cost, budgets and token limits agree exactly with the mock providers' ledger (the ground
 * truth of what was billed).
 */
class AiAccountingIT {
  static final String CATALOG =
      AiTranslationIT.CATALOG.replace("ai:\n", "ai:\n")
          + """
          - name: pricey
            deployments:
              - {backend: openai, model: gpt-4o, apiKey: sk-up, contextWindow: 1000, maxOutput: 500,
                 price: {input: 2.5, output: 10}}
      """;

  static final String ASK =
      "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"Name an animal.\"}],"
          + "\"max_tokens\":%d%s}";

  /** (backend/model) -> [requests, prompt, completion, cost] from the gateway's /ai/usage. */
  static Map<String, JsonNode> gatewayUsage(AiFixture f, String consumer) {
    Map<String, JsonNode> out = new HashMap<>();
    for (JsonNode r : AiFixture.parse(f.gw.adminGet("/ai/usage").body()).path("usage")) {
      if (r.path("consumer").asText().equals(consumer)) {
        out.put(r.path("backend").asText() + "/" + r.path("model").asText(), r);
      }
    }
    return out;
  }

  static Map<String, JsonNode> ledger(AiFixture f) {
    Map<String, JsonNode> out = new HashMap<>();
    for (String p : new String[] {"openai", "anthropic"}) {
      for (JsonNode e : f.providerStats(p).path("entries")) {
        out.put(p + "/" + e.path("model").asText(), e);
      }
    }
    return out;
  }

  static void assertAgree(AiFixture f, String consumer) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Map<String, JsonNode> gw = gatewayUsage(f, consumer);
              Map<String, JsonNode> ledger = ledger(f);
              assertThat(gw.keySet()).isEqualTo(ledger.keySet());
              for (String k : ledger.keySet()) {
                JsonNode g = gw.get(k);
                JsonNode l = ledger.get(k);
                assertThat(g.path("requests").asLong())
                    .as(k)
                    .isEqualTo(l.path("requests").asLong());
                assertThat(g.path("prompt_tokens").asLong())
                    .as(k)
                    .isEqualTo(l.path("prompt_tokens").asLong());
                assertThat(g.path("completion_tokens").asLong())
                    .as(k)
                    .isEqualTo(l.path("completion_tokens").asLong());
                assertThat(g.path("cost_usd").asDouble())
                    .as(k)
                    .isEqualTo(l.path("cost_usd").asDouble());
              }
            });
  }

  @Test
  void usageAndCostAgreeExactlyWithTheProvidersLedger() {
    try (AiFixture f = new AiFixture("", CATALOG)) {
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> first =
            f.chat(AiFixture.KEY_A, ASK.formatted("gpt-4o-mini", 3 + i, ""));
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        // streams without include_usage: the gateway asks upstream and hides the usage chunk
        assertThat(
                f.chat(AiFixture.KEY_A, ASK.formatted("gpt-4o-mini", 2, ",\"stream\":true")).body())
            .endsWith("data: [DONE]\n\n");
        assertThat(f.chat(AiFixture.KEY_A, ASK.formatted("claude-haiku", 2 + i, "")).statusCode())
            .isEqualTo(200);
        assertThat(
                f.chat(AiFixture.KEY_A, ASK.formatted("claude-haiku", 3, ",\"stream\":true"))
                    .statusCode())
            .isEqualTo(200);
        assertThat(f.chat(AiFixture.KEY_A, ASK.formatted("pricey", 5, "")).statusCode())
            .isEqualTo(200);
      }
      assertThat(
              f.post(
                      "/v1/embeddings",
                      AiFixture.KEY_A,
                      "{\"model\":\"embed\",\"input\":[\"a b c\",\"d e\"]}",
                      Map.of())
                  .statusCode())
          .isEqualTo(200);
      assertThat(
              f.post(
                      "/v1/messages",
                      null,
                      "{\"model\":\"claude-haiku\",\"max_tokens\":4,\"stream\":true,"
                          + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                      Map.of("x-api-key", AiFixture.KEY_A))
                  .statusCode())
          .isEqualTo(200);
      assertAgree(f, "team-a");
      assertThat(f.gw.adminGet("/metrics").body())
          .contains(
              "gateway_llm_tokens_total{alias=\"pricey\",consumer=\"team-a\",kind=\"completion\",model=\"gpt-4o\"} 15.0",
              "gateway_llm_ttft_seconds_bucket",
              "gateway_llm_tpot_seconds_bucket",
              "gateway_llm_cost_usd_total{consumer=\"team-a\",model=\"gpt-4o\"}");
    }
  }

  @Test
  void overBudgetIs429WithTheSpendThatMatchesTheLedger() {
    String budget = "    budget: {usd: 0.0001, period: 24h}\n";
    try (AiFixture f = new AiFixture(budget, CATALOG)) {
      int ok = 0;
      HttpResponse<String> r;
      while ((r = f.chat(AiFixture.KEY_A, ASK.formatted("pricey", 5, ""))).statusCode() == 200) {
        ok++;
        assertThat(ok).isLessThan(10);
      }
      assertThat(r.statusCode()).isEqualTo(429);
      JsonNode error = AiFixture.parse(r.body()).path("error");
      assertThat(error.path("code").asText()).isEqualTo("budget_exceeded");
      assertThat(error.path("type").asText()).isEqualTo("rate_limit_error");
      double spent = ledger(f).get("openai/gpt-4o").path("cost_usd").asDouble();
      assertThat(spent).isGreaterThanOrEqualTo(0.0001);
      assertThat(error.path("message").asText())
          .contains(
              String.format(java.util.Locale.ROOT, "spent %.6f USD of its 0.000100 USD", spent));
      assertThat(r.headers().firstValue("retry-after")).isPresent();
      // the refused request never reached the provider; another consumer is not affected
      assertThat(ledger(f).get("openai/gpt-4o").path("requests").asLong()).isEqualTo(ok);
      assertThat(f.chat(AiFixture.KEY_B, ASK.formatted("pricey", 5, "")).statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void requestsPerMinuteLimit() {
    try (AiFixture f = new AiFixture("    limits: {rpm: 2}\n", CATALOG)) {
      assertThat(f.chat(AiFixture.KEY_A, ASK.formatted("gpt-4o-mini", 3, "")).statusCode())
          .isEqualTo(200);
      assertThat(f.chat(AiFixture.KEY_A, ASK.formatted("gpt-4o-mini", 3, "")).statusCode())
          .isEqualTo(200);
      HttpResponse<String> r = f.chat(AiFixture.KEY_A, ASK.formatted("gpt-4o-mini", 3, ""));
      assertThat(r.statusCode()).isEqualTo(429);
      assertThat(r.body()).contains("rate_limit_exceeded", "2 requests per minute");
      assertThat(f.providerStats("openai").path("totals").path("requests").asLong()).isEqualTo(2);
    }
  }

  @Test
  void tokensPerMinuteArePreChargedAndReconciledFromUsage() {
    // estimate = prompt (11 by the gateway's count) + max_tokens 60 = 71; actual usage 11 + 4.
    // Without reconciliation the second request would be refused (100 - 71 < 71).
    try (AiFixture f = new AiFixture("    limits: {tpm: 100}\n", CATALOG)) {
      int ok = 0;
      HttpResponse<String> r;
      while ((r = f.chat(AiFixture.KEY_A, ASK.formatted("gpt-4o-mini", 60, ""))).statusCode()
          == 200) {
        ok++;
        assertThat(ok).isLessThan(10);
      }
      assertThat(ok).isEqualTo(2);
      assertThat(r.statusCode()).isEqualTo(429);
      assertThat(r.body()).contains("100 tokens per minute", "estimated at 71 tokens");
      long used =
          f.providerStats("openai").path("totals").path("prompt_tokens").asLong()
              + f.providerStats("openai").path("totals").path("completion_tokens").asLong();
      assertThat(used).isEqualTo(2 * 15);
      // one request above the whole limit is refused at once
      assertThat(f.chat(AiFixture.KEY_A, ASK.formatted("gpt-4o-mini", 500, "")).body())
          .contains("rate_limit_exceeded");
    }
  }
}
