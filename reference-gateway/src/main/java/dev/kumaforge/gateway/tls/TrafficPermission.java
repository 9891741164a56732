package dev.kumaforge.gateway.tls;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.common.tls.SpiffeId;
import java.util.List;

/**
 * Per-route allow/deny by client SPIFFE ID, like Kuma's MeshTrafficPermission: the most specific
 * matching rule decides (an exact ID over a {@code *} prefix, a longer prefix over a shorter one,
 * Deny over Allow at equal specificity), else {@code default}. A request without a client identity
 * (plain or TLS listener without client certificates) is always denied.
 *
 * @param defaultAction the YAML key {@code default}: the action when no rule matches, default Deny
 * @param rules the rules
 */
public record TrafficPermission(@JsonProperty("default") Action defaultAction, List<Rule> rules) {

  /** What a rule does. */
  public enum Action {
    Allow,
    Deny
  }

  /**
   * One rule.
   *
   * @param spiffeId an exact SPIFFE ID, or a prefix ending in {@code *} such as {@code
   *     spiffe://forge.local/ns/*}
   * @param action Allow or Deny
   */
  public record Rule(String spiffeId, Action action) {
    boolean isPrefix() {
      return spiffeId.endsWith("*");
    }

    /** How specific a match is: exact beats every prefix, longer prefixes beat shorter ones. */
    int specificity(String id) {
      if (isPrefix()) {
        String prefix = spiffeId.substring(0, spiffeId.length() - 1);
        return id.startsWith(prefix) ? prefix.length() : -1;
      }
      return spiffeId.equals(id) ? Integer.MAX_VALUE : -1;
    }
  }

  public TrafficPermission {
    defaultAction = defaultAction == null ? Action.Deny : defaultAction;
    rules = rules == null ? List.of() : List.copyOf(rules);
  }

  /** Records every problem under {@code v} (missing keys, malformed SPIFFE IDs). */
  public void validate(Validator v) {
    v.each(
        "rules",
        rules,
        (rv, r) -> {
          rv.required(r.action(), "action");
          if (rv.required(r.spiffeId(), "spiffeId")) {
            String id = r.spiffeId();
            String expected =
                "a SPIFFE ID spiffe://<trust-domain>/<path>, or a prefix of one ending in *";
            if (r.isPrefix()) {
              String prefix = id.substring(0, id.length() - 1);
              rv.check(
                  prefix.startsWith("spiffe://") && !prefix.contains("*"),
                  "spiffeId",
                  "'" + id + "'",
                  expected);
            } else {
              try {
                SpiffeId.parse(id);
              } catch (IllegalArgumentException e) {
                rv.check(false, "spiffeId", "'" + id + "'", expected);
              }
            }
          }
        });
  }

  /** Whether a client with {@code id} (null: none) may use the route. */
  public boolean allows(SpiffeId id) {
    if (id == null) {
      return false;
    }
    String s = id.toString();
    int best = -1;
    Action decision = defaultAction;
    for (Rule r : rules) {
      int specificity = r.specificity(s);
      if (specificity > best
          || (specificity == best && specificity >= 0 && r.action() == Action.Deny)) {
        best = specificity;
        decision = r.action();
      }
    }
    return decision == Action.Allow;
  }
}
