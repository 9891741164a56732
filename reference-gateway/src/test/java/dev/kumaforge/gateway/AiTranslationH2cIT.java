package dev.kumaforge.gateway;

import org.junit.jupiter.api.BeforeAll;

/** {@link AiTranslationIT} (golden answers and streams of both providers) over h2c upstreams. */
class AiTranslationH2cIT extends AiTranslationIT {
  @BeforeAll
  static void start() {
    f = new AiFixture(AiFixture.PROVIDERS, "", CATALOG, H2cUpstreamIT.H2C);
  }
}
