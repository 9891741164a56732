package dev.kumaforge.harness.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.chaos.experiment.ActionType;
import dev.kumaforge.chaos.experiment.Experiment;
import dev.kumaforge.chaos.experiment.ProbeType;
import dev.kumaforge.chaos.experiment.runner.ActionExecutor;
import dev.kumaforge.chaos.experiment.runner.Event;
import dev.kumaforge.chaos.experiment.runner.EventSink;
import dev.kumaforge.chaos.experiment.runner.ExperimentRunner;
import dev.kumaforge.chaos.experiment.runner.ProbeEvaluator;
import dev.kumaforge.chaos.experiment.runner.Sleeper;
import dev.kumaforge.chaos.experiment.runner.Verdict;
import dev.kumaforge.common.time.ManualClock;
import dev.kumaforge.load.engine.Progress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner wired as {@code forge chaos} wires it (process executors, load-window probes, fault
 * monitor figures), on a manual clock: a simulated endpoint whose death makes 20% of requests fail.
 */
class ChaosWiringTest {
  @TempDir Path dir;

  private final ManualClock clock = new ManualClock();
  private final LoadWindow window = new LoadWindow(clock);
  private final List<String> calls = new ArrayList<>();
  private final List<FaultSample> samples = new ArrayList<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private boolean alive = true;
  private long errors;
  private double backend;
  private int second;

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private final Killable endpoint =
      new Killable() {
        @Override
        public String name() {
          return "backend-a";
        }

        @Override
        public boolean isAlive() {
          return alive;
        }

        @Override
        public void kill(boolean force) {
          calls.add((force ? "kill -9" : "kill") + " @" + second);
          alive = false;
        }

        @Override
        public void start() {
          calls.add("start @" + second);
          alive = true;
        }
      };

  /** One second of simulated load: 100 requests, 20 failing while the endpoint is dead. */
  private void oneSecond() {
    clock.advance(Duration.ofSeconds(1));
    second++;
    if (!alive) {
      errors += 20;
    }
    backend += alive ? 100 : 120;
    window.onProgress(
        new Progress(
            "gw",
            1,
            "chaos",
            Duration.ofSeconds(second),
            Duration.ofSeconds(60),
            100,
            3000,
            errors));
    samples.add(
        new FaultSample(clock.nanoTime(), window.sent(), errors, backend, 0, 0, 0, 0, 0, 1, true));
  }

  @Test
  void killThenRestartIsMeasuredOnTheInjectedClock() throws Exception {
    Path file = dir.resolve("kill.yaml");
    Files.writeString(
        file,
        "name: kill\n"
            + "hypothesis:\n"
            + "  interval: 1s\n"
            + "  probes:\n"
            + "    - {name: errors, type: error-rate, window: 2s, max: 0.05}\n"
            + "method:\n"
            + "  - {name: kill-a, at: 2s, duration: 3s, action: {type: kill, target: backend-a}}\n"
            + "recovery: 4s\n"
            + "rollbacks:\n"
            + "  - {type: restart, target: backend-a}\n");
    Experiment e = Experiment.load(file);
    oneSecond();
    oneSecond();
    Map<ActionType, ActionExecutor> executors =
        new ProcessActions(
                Map.of("backend-a", endpoint),
                () -> "http://127.0.0.1:1",
                () -> "",
                null,
                HttpClient.newBuilder().executor(scheduler).build(),
                scheduler)
            .executors();
    Map<ProbeType, ProbeEvaluator> evaluators = new EnumMap<>(window.evaluators());
    List<Event> events = new ArrayList<>();
    ChaosRun.Timeline timeline = new ChaosRun.Timeline(clock, events::add, null);
    Sleeper sleeper =
        target -> {
          while (clock.nanoTime() < target) {
            oneSecond();
          }
        };
    try (EventSink sink = timeline) {
      Verdict v = new ExperimentRunner(e, clock, sleeper, executors, evaluators, sink).run();
      assertThat(v.outcome()).isEqualTo(Verdict.Outcome.PASSED);
      Verdict.StepMeasurement m = v.steps().get(0);
      assertThat(m.onsetMillis()).isEqualTo(1000);
      assertThat(m.violatingRounds()).isEqualTo(3);
      assertThat(m.recoveryMillis()).isEqualTo(2000);
    }
    // Killed at the step's start, started at its end; the rollback finds it alive.
    assertThat(calls).containsExactly("kill -9 @4", "start @7");
    long[] t = timeline.steps().get("kill-a");
    FaultFigures f = FaultFigures.of(samples, t[0], t[1]);
    assertThat(f.evidence()).isEqualTo("client errors +20");
    assertThat(f.evidenceMillis()).isEqualTo(1000);
    assertThat(f.clientRequests()).isEqualTo(300);
    assertThat(f.clientErrors()).isEqualTo(60);
    assertThat(f.amplification()).isEqualTo(1.2);
    assertThat(events).extracting(Event::kind).contains("step-start", "step-stop", "rollback");
  }
}
