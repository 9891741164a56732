package dev.kumaforge.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RouteFiltersTest {
  @Test
  void replacePrefixMatchFollowsGatewayApiSemantics() {
    assertThat(RouteFilters.replacePrefix("/v1/chat", "/v1", "/v2")).isEqualTo("/v2/chat");
    assertThat(RouteFilters.replacePrefix("/v1", "/v1", "/v2")).isEqualTo("/v2");
    assertThat(RouteFilters.replacePrefix("/v1/chat", "/v1", "/")).isEqualTo("/chat");
    assertThat(RouteFilters.replacePrefix("/v1", "/v1", "/")).isEqualTo("/");
    assertThat(RouteFilters.replacePrefix("/chat", "/", "/api")).isEqualTo("/api/chat");
    assertThat(RouteFilters.replacePrefix("/chat", "/", "/api/")).isEqualTo("/api/chat");
  }
}
