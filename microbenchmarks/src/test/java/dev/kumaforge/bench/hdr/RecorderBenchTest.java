package dev.kumaforge.bench.hdr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.common.hdr.HlogTags;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class RecorderBenchTest {
  @Test
  void recordedValuesArriveInTheNextInterval() {
    RecorderBench bench = new RecorderBench();
    bench.setUp();
    for (int i = 0; i < 5; i++) {
      bench.recordValue();
    }
    assertThat(bench.intervalSwap()).as("5 recorded + 1 by the swap body").isEqualTo(6);
    assertThat(bench.intervalSwap()).isEqualTo(1);
    Histogram h = bench.recycled;
    assertThat(h.getMaxValue()).isBetween(200L, 2_100_000L);
  }

  @Test
  void groupBodiesShareOneRecorder() {
    RecorderBench.Shared shared = new RecorderBench.Shared();
    shared.setUp();
    RecorderBench bench = new RecorderBench();
    bench.record(shared);
    bench.record(shared);
    assertThat(bench.swap(shared)).isEqualTo(2);
    assertThat(bench.swap(shared)).isZero();
  }

  @Test
  void latencyMixAndClampStayInRange() {
    long[] values = RecorderBench.latencies(RecorderBench.VALUES, 42);
    assertThat(java.util.Arrays.stream(values).min().orElseThrow()).isGreaterThanOrEqualTo(200L);
    assertThat(java.util.Arrays.stream(values).max().orElseThrow()).isLessThanOrEqualTo(2_000_000L);
    assertThat(RecorderBench.clamp(-5)).isZero();
    assertThat(RecorderBench.clamp(Long.MAX_VALUE)).isEqualTo(HlogTags.HIGHEST_TRACKABLE_MICROS);
  }
}
