package dev.kumaforge.gateway.consumer;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One API consumer: a name (a metric label) and the hashes of its API keys, with optional LLM
 * token/request limits and a money budget.
 *
 * @param name unique consumer name
 * @param apiKeys salted SHA-256 hashes, see {@link ApiKeyHash}; never plaintext keys
 * @param limits requests and tokens per minute on LLM routes, or null for none
 * @param budget money per period on LLM routes, or null for none
 */
public record ConsumerConfig(String name, List<String> apiKeys, Limits limits, Budget budget)
    implements Validatable {

  public ConsumerConfig {
    apiKeys = apiKeys == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(apiKeys));
  }

  @Override
  public void validate(Validator v) {
    if (v.required(name, "name")) {
      v.check(name.matches("[A-Za-z0-9_.-]+"), "name", "'" + name + "'", "letters, digits, _ . -");
    }
    v.check(!apiKeys.isEmpty(), "apiKeys", "[]", "at least one API key hash");
    v.each(
        "apiKeys",
        apiKeys,
        (kv, k) ->
            kv.check(
                ApiKeyHash.isValid(k),
                "",
                k != null && k.startsWith(ApiKeyHash.PREFIX) ? "'" + k + "'" : "(not a hash)",
                ApiKeyHash.EXPECTED));
    if (limits != null) {
      Validator lv = v.at("limits");
      lv.check(limits.rpm() >= 0, "rpm", limits.rpm(), ">= 0");
      lv.check(limits.tpm() >= 0, "tpm", limits.tpm(), ">= 0");
    }
    if (budget != null) {
      Validator bv = v.at("budget");
      if (bv.required(budget.usd(), "usd")) {
        bv.check(budget.usd() > 0, "usd", budget.usd(), "> 0");
      }
      bv.check(
          !budget.period().isNegative() && !budget.period().isZero(),
          "period",
          budget.period(),
          "a duration > 0");
    }
  }

  /**
   * Per-minute limits, enforced with a pre-charge (prompt + max tokens) reconciled from usage.
   *
   * @param rpm requests per minute, 0 = unlimited
   * @param tpm tokens (prompt + completion) per minute, 0 = unlimited
   */
  public record Limits(Long rpm, Long tpm) {
    public Limits {
      rpm = rpm == null ? 0 : rpm;
      tpm = tpm == null ? 0 : tpm;
    }
  }

  /**
   * A money budget: cost = usage x the deployment's prices, summed over fixed periods.
   *
   * @param usd USD per period
   * @param period period length (default 24h), aligned to the epoch
   */
  public record Budget(Double usd, Duration period) {
    public Budget {
      period = period == null ? Duration.ofDays(1) : period;
    }
  }
}
