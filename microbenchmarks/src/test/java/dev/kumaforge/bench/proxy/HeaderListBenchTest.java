package dev.kumaforge.bench.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeaderListBenchTest {
  @Test
  void bothWaysBuildTheSameMessages() {
    HeaderListBench bench = new HeaderListBench();
    bench.setUp();
    assertThat(bench.requestScalaList()).isEqualTo(bench.requestJavaDsl());
    assertThat(bench.requestScalaList().getHeaders()).hasSize(10);
    assertThat(bench.responseOneStep()).isEqualTo(bench.responseJavaDsl());
    assertThat(bench.responseOneStep().getHeaders()).hasSize(5);
  }
}
