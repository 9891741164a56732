package dev.kumaforge.harness.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.chaos.experiment.Probe;
import dev.kumaforge.chaos.experiment.ProbeType;
import dev.kumaforge.chaos.experiment.runner.ProbeEvaluator.ProbeResult;
import dev.kumaforge.common.time.ManualClock;
import dev.kumaforge.load.engine.Progress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoadWindowTest {
  private final ManualClock clock = new ManualClock();
  private final LoadWindow window = new LoadWindow(clock);
  private int second;

  private void tick(String phase, double rps, long p99Micros, long errors) {
    clock.advance(Duration.ofSeconds(1));
    second++;
    window.onProgress(
        new Progress(
            "gw",
            1,
            phase,
            Duration.ofSeconds(second),
            Duration.ofSeconds(60),
            rps,
            p99Micros,
            errors));
  }

  private static Probe errorRate(double max) {
    return new Probe(
        "errors",
        ProbeType.ERROR_RATE,
        Duration.ofSeconds(3),
        null,
        null,
        null,
        null,
        null,
        null,
        max,
        null);
  }

  private static Probe p99(long maxMillis) {
    return new Probe(
        "p99",
        ProbeType.LATENCY,
        Duration.ofSeconds(3),
        99.0,
        Duration.ofMillis(maxMillis),
        null,
        null,
        null,
        null,
        null,
        null);
  }

  @Test
  void errorRateIsNewErrorsOverRequestsSentInTheWindow() {
    tick("warmup", 100, 1000, 0);
    tick("steady", 100, 1000, 0);
    tick("steady", 100, 1000, 0);
    assertThat(window.errorRate(errorRate(0.01)).ok()).isTrue();
    tick("steady", 100, 1000, 30);
    tick("steady", 100, 1000, 30);
    ProbeResult r = window.errorRate(errorRate(0.01));
    // The window holds the last 3 s: 300 sent, 30 new errors.
    assertThat(r.value()).isEqualTo(0.1);
    assertThat(r.ok()).isFalse();
    assertThat(r.detail()).contains("30 of 300");
    tick("steady", 100, 1000, 30);
    tick("steady", 100, 1000, 30);
    tick("steady", 100, 1000, 30);
    assertThat(window.errorRate(errorRate(0.01)).ok()).isTrue();
    assertThat(window.sent()).isEqualTo(800.0);
    assertThat(window.errors()).isEqualTo(30);
  }

  @Test
  void latencyIsTheHighestPerSecondP99InTheWindow() {
    tick("steady", 100, 2_000, 0);
    tick("steady", 100, 900_000, 0);
    tick("steady", 100, 3_000, 0);
    ProbeResult r = window.latency(p99(500));
    assertThat(r.ok()).isFalse();
    assertThat(r.value()).isEqualTo(900.0);
    tick("steady", 100, 3_000, 0);
    tick("steady", 100, 3_000, 0);
    assertThat(window.latency(p99(500)).ok()).isTrue();
  }

  @Test
  void onlyP99IsSupported() {
    tick("steady", 100, 2_000, 0);
    Probe p50 =
        new Probe(
            "p50",
            ProbeType.LATENCY,
            null,
            50.0,
            Duration.ofSeconds(1),
            null,
            null,
            null,
            null,
            null,
            null);
    assertThat(window.latency(p50).ok()).isFalse();
    assertThat(window.latency(p50).detail()).contains("p99 per second only");
  }

  @Test
  void aStoppedLoadFailsEveryProbe() {
    assertThat(window.errorRate(errorRate(1)).detail()).isEqualTo("no load progress yet");
    tick("steady", 100, 2_000, 0);
    clock.advance(Duration.ofSeconds(3));
    assertThat(window.errorRate(errorRate(1)).ok()).isFalse();
    assertThat(window.latency(p99(500)).detail()).startsWith("no load progress for");
  }

  @Test
  void measuringStartsAfterWarmupAndRamp() throws InterruptedException {
    tick("warmup", 10, 1, 0);
    tick(LoadWindow.RAMP_PHASE, 50, 1, 0);
    assertThat(window.awaitMeasuring(0, TimeUnit.SECONDS)).isFalse();
    tick("chaos", 100, 1, 0);
    assertThat(window.awaitMeasuring(0, TimeUnit.SECONDS)).isTrue();
  }
}
