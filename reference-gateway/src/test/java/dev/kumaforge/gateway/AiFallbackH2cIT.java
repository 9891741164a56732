package dev.kumaforge.gateway;

import org.junit.jupiter.api.BeforeAll;

/**
 * {@link AiFallbackIT} over h2c upstream connections: the mock's faults (errors, a stream cut
 * before or after content, now an RST_STREAM) give the same fallbacks and error events.
 */
class AiFallbackH2cIT extends AiFallbackIT {
  @BeforeAll
  static void start() {
    f = new AiFixture(AiFixture.PROVIDERS, "", CATALOG, H2cUpstreamIT.H2C);
  }
}
