package dev.kumaforge.bench.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AuthBenchTest {
  @Test
  void everyBenchmarkAuthenticatesItsConsumer() throws Exception {
    AuthBench bench = new AuthBench();
    bench.setUp();
    assertThat(bench.none().identity()).isNull();
    assertThat(bench.none().allowed()).isTrue();
    assertThat(bench.apiKey().identity().consumer()).isEqualTo("c99");
    assertThat(bench.hs256().identity().consumer()).isEqualTo("c7");
    assertThat(bench.rs256().identity().consumer()).isEqualTo("c7");
    assertThat(bench.es256().identity().consumer()).isEqualTo("c7");
  }
}
