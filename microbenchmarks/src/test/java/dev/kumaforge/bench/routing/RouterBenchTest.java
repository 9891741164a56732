package dev.kumaforge.bench.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.gateway.config.GatewayConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RouterBenchTest {
  static RouterBench bench;

  @BeforeAll
  static void setUp() {
    bench = new RouterBench();
    bench.setUp();
  }

  @Test
  void tableHasTheAdvertisedMix() {
    GatewayConfig config = RouteTable.config();
    assertThat(config.routes()).hasSize(RouteTable.ROUTES);
    assertThat(RouteTable.REGEX).isEqualTo(200);
  }

  @Test
  void eachRequestFindsItsRoute() {
    assertThat(bench.exactFirst()).isEqualTo("exact-0000");
    assertThat(bench.exactMiddle()).isEqualTo("exact-0201");
    assertThat(bench.headerLate()).isEqualTo("model-099");
    assertThat(bench.regexLast()).isEqualTo("regex-0199");
    assertThat(bench.noMatch()).isNull();
  }

  @Test
  void requestsHitEarlyAndLate() {
    assertThat(bench.router.index(bench.first)).isZero();
    assertThat(bench.router.index(bench.exactMiddle)).isEqualTo(250);
    assertThat(bench.router.index(bench.headerLate)).isEqualTo(499);
    assertThat(bench.router.index(bench.regexLast)).isEqualTo(RouteTable.ROUTES - 1);
    assertThat(bench.router.index(bench.noMatch)).isEqualTo(-1);
  }
}
