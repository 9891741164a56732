package dev.kumaforge.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LimitsTest {
  private static final String REST =
      """
        admin: {address: "127.0.0.1:0"}
      backends: [{name: b, endpoints: [{address: "127.0.0.1:1"}],
                  circuitBreaker: {connectionLimits: {maxPendingRequests: -1}}}]
      routes: [{name: r, backendRefs: [{name: b}]}]
      """;

  @Test
  void defaultsApplyWhenAbsent() {
    GatewayConfig c =
        GatewayConfig.parse(
            "listeners:\n  public: {address: \"127.0.0.1:0\"}\n"
                + REST.replace("maxPendingRequests: -1", "maxPendingRequests: 0"),
            "t");
    Limits l = c.listeners().get("public").limits();
    assertThat(l.maxUriLength().bytes()).isEqualTo(8192);
    assertThat(l.maxHeaderBytes().bytes()).isEqualTo(32768);
    assertThat(l.maxHeaderCount()).isEqualTo(100);
    assertThat(l.maxBodySize().bytes()).isEqualTo(10L << 20);
    assertThat(l.bodyTimeout()).hasSeconds(60);
  }

  @Test
  void everyBadLimitIsReportedWithItsYamlPath() {
    assertThatThrownBy(
            () ->
                GatewayConfig.parse(
                    """
                    listeners:
                      public:
                        address: "127.0.0.1:0"
                        limits: {maxHeaderCount: 0, maxUriLength: 2MiB, bodyTimeout: 0s}
                    """
                        + REST,
                    "t"))
        .hasMessageContaining("listeners.public.limits.maxHeaderCount")
        .hasMessageContaining("listeners.public.limits.maxUriLength")
        .hasMessageContaining("listeners.public.limits.bodyTimeout")
        .hasMessageContaining("backends[0].circuitBreaker.connectionLimits.maxPendingRequests");
  }
}
