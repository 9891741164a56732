package dev.kumaforge.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.common.tls.SpiffeId;
import dev.kumaforge.gateway.tls.TrafficPermission.Action;
import dev.kumaforge.gateway.tls.TrafficPermission.Rule;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrafficPermissionTest {
  private static SpiffeId id(String path) {
    return SpiffeId.parse("spiffe://forge.local" + path);
  }

  @Test
  void theMostSpecificRuleDecidesAndDenyWinsTies() {
    TrafficPermission p =
        new TrafficPermission(
            Action.Deny,
            List.of(
                new Rule("spiffe://forge.local/ns/*", Action.Allow),
                new Rule("spiffe://forge.local/ns/b/*", Action.Deny),
                new Rule("spiffe://forge.local/ns/b/ok", Action.Allow),
                new Rule("spiffe://forge.local/ns/c/*", Action.Allow),
                new Rule("spiffe://forge.local/ns/c/*", Action.Deny)));
    assertThat(p.allows(id("/ns/a/x"))).isTrue();
    assertThat(p.allows(id("/ns/b/x"))).isFalse();
    assertThat(p.allows(id("/ns/b/ok"))).isTrue();
    assertThat(p.allows(id("/ns/c/x"))).isFalse();
    assertThat(p.allows(id("/other"))).isFalse();
    assertThat(p.allows(null)).isFalse();
  }

  @Test
  void theDefaultAppliesWhenNoRuleMatchesButNeverWithoutAnIdentity() {
    TrafficPermission allowAll = new TrafficPermission(Action.Allow, null);
    assertThat(allowAll.allows(id("/anyone"))).isTrue();
    assertThat(allowAll.allows(null)).isFalse();
    assertThat(new TrafficPermission(null, null).allows(id("/anyone"))).isFalse();
  }
}
