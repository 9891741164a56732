package dev.kumaforge.gateway.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeyHashTest {
  @Test
  void hashesAreSaltedAndVerify() {
    String a = ApiKeyHash.hash("sk-team-a");
    String b = ApiKeyHash.hash("sk-team-a");
    assertThat(a).isNotEqualTo(b).startsWith("sha256:").doesNotContain("sk-team-a");
    assertThat(ApiKeyHash.isValid(a)).isTrue();
    assertThat(ApiKeyHash.matches(a, "sk-team-a")).isTrue();
    assertThat(ApiKeyHash.matches(a, "sk-team-b")).isFalse();
    assertThat(ApiKeyHash.isValid("sk-team-a")).isFalse();
    assertThat(ApiKeyHash.isValid("sha256:00:abcd")).isFalse();
  }

  @Test
  void consumersAreFoundByTheirKeys() {
    ConsumerConfig c = new ConsumerConfig("a", List.of(ApiKeyHash.hash("k1")), null, null);
    Consumers consumers = new Consumers(List.of(c));
    assertThat(consumers.find("k1")).isEqualTo(c);
    assertThat(consumers.find("k1")).as("cached").isEqualTo(c);
    assertThat(consumers.find("k2")).isNull();
    assertThat(consumers.find(null)).isNull();
  }
}
