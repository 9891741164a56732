package dev.kumaforge.chaos.experiment.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.chaos.experiment.ActionType;
import dev.kumaforge.chaos.experiment.Experiment;
import dev.kumaforge.chaos.experiment.ProbeType;
import dev.kumaforge.chaos.experiment.runner.ProbeEvaluator.ProbeResult;
import dev.kumaforge.chaos.experiment.runner.Verdict.Outcome;
import dev.kumaforge.common.config.YamlConfig;
import dev.kumaforge.common.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;

/** The runner on a manual clock: timeline, hypothesis phases, measurements, rollbacks. */
class ExperimentRunnerTest {
  final ManualClock clock = new ManualClock();
  final List<String> log = new ArrayList<>();
  final List<Event> events = new ArrayList<>();

  static final String BASE =
      """
      name: t
      hypothesis:
        interval: 1s
        probes:
          - name: errors
            type: error-rate
            max: 0.01
      recovery: 5s
      method:
        - name: down
          at: 2s
          duration: 3s
          action: {type: proxy-down, proxy: a}
        - name: reset
          at: 4s
          action: {type: proxy-reset}
      rollbacks:
        - type: proxy-reset
      """;

  long seconds() {
    return clock.nanoTime() / 1_000_000_000L;
  }

  double secondsExact() {
    return clock.nanoTime() / 1e9;
  }

  ExperimentRunner runner(String yaml, LongPredicate failingAtMillis) {
    Experiment e = YamlConfig.parse(yaml, "t.yaml", Experiment.class);
    ActionExecutor recording =
        a -> {
          String name = a.type() + (a.proxy() == null ? "" : " " + a.proxy());
          log.add(secondsExact() + " start " + name);
          return () -> log.add(secondsExact() + " stop " + name);
        };
    ProbeEvaluator probe =
        p -> {
          boolean fail = failingAtMillis.test(clock.nanoTime() / 1_000_000);
          return new ProbeResult(!fail, fail ? 0.5 : 0.0, fail ? "50% errors" : "0% errors");
        };
    return new ExperimentRunner(
        e,
        clock,
        target -> clock.advance(Duration.ofNanos(Math.max(0, target - clock.nanoTime()))),
        Map.of(ActionType.PROXY_DOWN, recording, ActionType.PROXY_RESET, recording),
        Map.of(ProbeType.ERROR_RATE, probe),
        events::add);
  }

  @Test
  void runsTheTimelineOnTheInjectedClockAndMeasuresOnsetAndRecovery() {
    // The fault shows from 2.5 s to 6.5 s (the proxy is down 2 s..5 s, clients retry a while).
    Verdict v = runner(BASE, t -> t >= 2500 && t < 6500).run();

    assertThat(log)
        .containsExactly(
            "2.0 start proxy-down a",
            "4.0 start proxy-reset",
            "5.0 stop proxy-down a",
            "7.0 start proxy-reset");
    assertThat(v.outcome()).isEqualTo(Outcome.PASSED);
    assertThat(v.steps().get(0)).isEqualTo(new Verdict.StepMeasurement("down", 1000L, 3, 2000L));
    assertThat(events.get(0).kind()).isEqualTo("experiment-start");
    assertThat(events.get(events.size() - 1).kind()).isEqualTo("verdict");
    assertThat(events)
        .anyMatch(e -> e.kind().equals("probe") && "during".equals(e.data().get("phase")));
    assertThat(events)
        .anyMatch(e -> e.kind().equals("probe") && "after".equals(e.data().get("phase")));
  }

  @Test
  void noRecoveryWithinTheBudgetFailsAndRollbacksStillRun() {
    Verdict v = runner(BASE, t -> t >= 2500).run();
    assertThat(v.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(v.reasons()).anyMatch(r -> r.contains("did not hold again within 5000 ms"));
    assertThat(v.steps().get(0).recoveryMillis()).isNull();
    assertThat(log.get(log.size() - 1)).endsWith("start proxy-reset");
    // Gave up at the end of the recovery budget: method end 5 s + 5 s.
    assertThat(seconds()).isEqualTo(10);
  }

  @Test
  void steadyStateNotMetBeforeSkipsTheMethod() {
    Verdict v = runner(BASE, t -> true).run();
    assertThat(v.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(v.reasons().get(0))
        .startsWith("steady state not met before the method: errors: 50% errors");
    assertThat(log).containsExactly("0.0 start proxy-reset");
  }

  @Test
  void duringProbesMustHoldWhileFaultsAreActive() {
    String yaml = BASE.replace("max: 0.01", "max: 0.01\n      during: true");
    Verdict v = runner(yaml, t -> t >= 2500 && t < 3500).run();
    assertThat(v.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(v.reasons()).containsExactly("probe errors failed during the faults: 50% errors");
  }

  @Test
  void roundsBeforeTheFirstStepAreALeadInThatNeverFails() {
    String yaml = BASE.replace("max: 0.01", "max: 0.01\n      during: true");
    // Noise 0.5 s..1.5 s, before the first step starts at 2 s.
    Verdict v = runner(yaml, t -> t >= 500 && t < 1500).run();
    assertThat(v.outcome()).isEqualTo(Outcome.PASSED);
    assertThat(v.steps().get(0).onsetMillis()).isNull();
    assertThat(events)
        .anyMatch(
            e ->
                e.kind().equals("probe")
                    && "lead-in".equals(e.data().get("phase"))
                    && Boolean.FALSE.equals(e.data().get("ok")));
  }

  @Test
  void abortStopsActiveStepsThenRunsRollbacks() {
    ExperimentRunner[] self = new ExperimentRunner[1];
    self[0] =
        runner(
            BASE,
            t -> {
              if (t >= 3000) {
                self[0].abort();
              }
              return false;
            });
    Verdict v = self[0].run();
    assertThat(v.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(log)
        .containsExactly(
            "2.0 start proxy-down a", "3.0 stop proxy-down a", "3.0 start proxy-reset");
    assertThat(v.outcome().exitCode()).isEqualTo(1);
  }

  @Test
  void aFailingActionFailsTheRunAndRollbacksStillRun() {
    Experiment e = YamlConfig.parse(BASE, "t.yaml", Experiment.class);
    ActionExecutor broken =
        a -> {
          throw new java.io.IOException("proxy API down");
        };
    ActionExecutor reset =
        a -> {
          log.add("reset");
          return ActionExecutor.Handle.NONE;
        };
    Verdict v =
        new ExperimentRunner(
                e,
                clock,
                target -> clock.advance(Duration.ofNanos(Math.max(0, target - clock.nanoTime()))),
                Map.of(ActionType.PROXY_DOWN, broken, ActionType.PROXY_RESET, reset),
                Map.of(ProbeType.ERROR_RATE, p -> new ProbeResult(true, 0, "ok")),
                events::add)
            .run();
    assertThat(v.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(v.reasons())
        .containsExactly("step down failed to start: java.io.IOException: proxy API down");
    assertThat(log).containsExactly("reset");
  }

  @Test
  void missingExecutorsAreReportedBeforeRunning() {
    Experiment e = YamlConfig.parse(BASE, "t.yaml", Experiment.class);
    assertThatThrownBy(
            () -> new ExperimentRunner(e, clock, t -> {}, Map.of(), Map.of(), events::add))
        .hasMessageContaining("method step down: no executor for action type proxy-down")
        .hasMessageContaining("probe errors: no evaluator for probe type error-rate");
  }
}
