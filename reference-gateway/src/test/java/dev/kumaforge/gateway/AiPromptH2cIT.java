package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link AiPromptIT} over h2c upstream connections: masking, templates, the cache and a client
 * leaving a stream cancelling its upstream stream (RST_STREAM, which the mock counts).
 */
class AiPromptH2cIT extends AiPromptIT {
  @BeforeAll
  static void start() {
    f = new AiFixture(AiFixture.PROVIDERS, "", CATALOG, H2cUpstreamIT.H2C);
  }

  @Override
  @Test
  void aClientLeavingAStreamCancelsTheUpstreamRequest() throws Exception {
    super.aClientLeavingAStreamCancelsTheUpstreamRequest();
    assertThat(H2cUpstreamIT.metric(f, "openai", "forge_backend_h2_streams_reset_total"))
        .isEqualTo(1);
    assertThat(H2cUpstreamIT.metric(f, "openai", "forge_backend_open_h2_streams")).isZero();
  }
}
