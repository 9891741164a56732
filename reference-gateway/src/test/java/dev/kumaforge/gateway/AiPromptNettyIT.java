package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.gateway.config.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link AiPromptIT} with the Netty upstream transport (streams, cancel on client disconnect). */
class AiPromptNettyIT extends AiPromptIT {
  @BeforeAll
  static void start() {
    f = new AiFixture("", CATALOG + GatewayFixture.upstream("netty"));
  }

  @Test
  void backendsUseTheNettyTransport() {
    assertThat(f.gw.gateway.snapshot().backends().values())
        .allSatisfy(b -> assertThat(b.transport()).isEqualTo(Backend.Transport.netty));
  }
}
