package dev.kumaforge.harness.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.harness.chaos.internal.Counters;
import dev.kumaforge.harness.chaos.internal.PromText;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultFiguresTest {
  private static final long S = 1_000_000_000L;

  /** One sample per second: 100 client requests each; the fault from 10 s to 20 s. */
  private static List<FaultSample> killScenario() {
    List<FaultSample> out = new ArrayList<>();
    long errors = 0;
    double backend = 0;
    double failures = 0;
    double retries = 0;
    for (int t = 0; t <= 30; t++) {
      boolean fault = t > 10 && t <= 20;
      if (t == 11) {
        failures += 5;
        retries += 5;
        errors += 2;
      }
      if (t == 22) {
        errors += 1;
      }
      backend += fault && t <= 12 ? 110 : 100;
      out.add(
          new FaultSample(
              t * S,
              100.0 * t,
              errors,
              backend,
              0,
              failures,
              retries,
              t >= 12 ? 1 : 0,
              t >= 12 && t < 25 ? 1 : 0,
              1,
              true));
    }
    return out;
  }

  @Test
  void measuresOnsetDetectionErrorsAmplificationAndReturn() {
    FaultFigures f = FaultFigures.of(killScenario(), 10 * S, 20 * S);
    assertThat(f.evidenceMillis()).isEqualTo(1000);
    assertThat(f.evidence())
        .isEqualTo("client errors +2, gateway upstream failures +5, gateway retries +5");
    assertThat(f.detectMillis()).isEqualTo(2000);
    assertThat(f.windowMillis()).isEqualTo(10_000);
    assertThat(f.clientRequests()).isEqualTo(1000);
    assertThat(f.clientErrors()).isEqualTo(2);
    assertThat(f.backendRequests()).isEqualTo(1020);
    assertThat(f.amplification()).isEqualTo(1.02);
    assertThat(f.lastErrorAfterEndMillis()).isEqualTo(2000);
    assertThat(f.backInBalancingMillis()).isEqualTo(5000);
  }

  @Test
  void aOneShotActionIsLookedAtForFiveSeconds() {
    List<FaultSample> samples = new ArrayList<>();
    for (int t = 0; t <= 10; t++) {
      samples.add(
          new FaultSample(t * S, 100.0 * t, 0, 100.0 * t, 0, 0, 0, 0, 0, t >= 4 ? 2 : 1, true));
    }
    FaultFigures f = FaultFigures.of(samples, 3 * S, 3 * S);
    assertThat(f.windowMillis()).isEqualTo(FaultFigures.ONE_SHOT_WINDOW_MILLIS);
    assertThat(f.evidence()).isEqualTo("gateway config version 1 -> 2");
    assertThat(f.evidenceMillis()).isEqualTo(1000);
    assertThat(f.detectMillis()).isNull();
    assertThat(f.clientRequests()).isEqualTo(500);
    assertThat(f.amplification()).isEqualTo(1.0);
  }

  @Test
  void noSamplesNoFigures() {
    FaultFigures f = FaultFigures.of(List.of(), 0, S);
    assertThat(f.evidenceMillis()).isNull();
    assertThat(f.amplification()).isNull();
  }

  @Test
  void countersSurviveRestartsAndPromTextSumsLabels() {
    Counters c = new Counters();
    c.observe("backend.requests.a", 100);
    c.observe("backend.requests.a", 150);
    c.observe("backend.requests.a", 20); // restarted: counts from zero again
    c.observe("backend.requests.b", 7);
    assertThat(c.total("backend.requests.")).isEqualTo(177);
    String text =
        "# HELP gateway_retries_total Retries\n"
            + "gateway_retries_total{backend=\"a\"} 3.0\n"
            + "gateway_retries_total{backend=\"b\"} 4.0\n"
            + "gateway_retries_total_created 123.0\n"
            + "gateway_config_version 2.0\n";
    assertThat(PromText.sum(text, "gateway_retries_total")).isEqualTo(7.0);
    assertThat(PromText.sum(text, "gateway_config_version")).isEqualTo(2.0);
    assertThat(PromText.sum(text, "absent")).isZero();
  }
}
