package dev.kumaforge.chaos.experiment.runner;

import dev.kumaforge.chaos.experiment.Action;
import dev.kumaforge.chaos.experiment.ActionType;
import dev.kumaforge.chaos.experiment.Experiment;
import dev.kumaforge.chaos.experiment.Probe;
import dev.kumaforge.chaos.experiment.ProbeType;
import dev.kumaforge.chaos.experiment.Step;
import dev.kumaforge.chaos.experiment.runner.ProbeEvaluator.ProbeResult;
import dev.kumaforge.chaos.experiment.runner.Verdict.Outcome;
import dev.kumaforge.chaos.experiment.runner.Verdict.StepMeasurement;
import dev.kumaforge.common.time.NanoClock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs one experiment on an injected clock, on the calling thread.
 *
 * <pre>
 *   before:  one probe round; every probe must hold, else the method is skipped
 *   method:  steps start at their offsets and stop after their durations;
 *            probe rounds every interval: "lead-in" before the first step (recorded only),
 *            then "during" (probes with during=true must hold)
 *   after:   probe rounds until every probe holds (recovered) or the recovery budget is spent
 *   finally: active steps are stopped, then every rollback runs (also after abort())
 * </pre>
 *
 * Every action, probe round and outcome is an {@link Event}.
 */
public final class ExperimentRunner {
  private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final Experiment experiment;
  private final NanoClock clock;
  private final Sleeper sleeper;
  private final Map<ActionType, ActionExecutor> executors;
  private final Map<ProbeType, ProbeEvaluator> evaluators;
  private final EventSink events;
  private volatile boolean aborted;
  private long t0;

  /** A runner; every action and probe type the experiment uses needs an executor or evaluator. */
  public ExperimentRunner(
      Experiment experiment,
      NanoClock clock,
      Sleeper sleeper,
      Map<ActionType, ActionExecutor> executors,
      Map<ProbeType, ProbeEvaluator> evaluators,
      EventSink events) {
    this.experiment = experiment;
    this.clock = clock;
    this.sleeper = sleeper;
    this.executors = Map.copyOf(executors);
    this.evaluators = Map.copyOf(evaluators);
    this.events = events;
    List<String> missing = new ArrayList<>();
    for (Step s : experiment.method()) {
      if (!executors.containsKey(s.action().type())) {
        missing.add(
            "method step " + s.name() + ": no executor for action type " + s.action().type());
      }
    }
    for (Action a : experiment.rollbacks()) {
      if (!executors.containsKey(a.type())) {
        missing.add("rollback: no executor for action type " + a.type());
      }
    }
    for (Probe p : experiment.hypothesis().probes()) {
      if (!evaluators.containsKey(p.type())) {
        missing.add("probe " + p.name() + ": no evaluator for probe type " + p.type());
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", missing));
    }
  }

  /** Asks a running {@link #run()} to stop; it then stops active steps and runs the rollbacks. */
  public void abort() {
    aborted = true;
  }

  private record Op(long at, boolean start, int index, Step step) {}

  private record Round(boolean allOk, Map<String, ProbeResult> results) {
    List<String> failures() {
      List<String> out = new ArrayList<>();
      results.forEach(
          (k, v) -> {
            if (!v.ok()) {
              out.add(k + ": " + v.detail());
            }
          });
      return out;
    }
  }

  private static final class Track {
    long start = -1;
    long end = -1;
    Long onset;
    int violations;
    Long recovery;
  }

  /** Runs the experiment to its verdict; rollbacks have run when this returns. */
  public Verdict run() {
    t0 = clock.nanoTime();
    emit("experiment-start", experiment.name(), Map.of());
    Outcome outcome = Outcome.PASSED;
    Set<String> reasons = new LinkedHashSet<>();
    Map<String, ActionExecutor.Handle> active = new LinkedHashMap<>();
    Map<String, Track> tracks = new LinkedHashMap<>();
    experiment.method().forEach(s -> tracks.put(s.name(), new Track()));
    try {
      Round before = probeRound("before");
      if (!before.allOk()) {
        reasons.add(
            "steady state not met before the method: " + String.join("; ", before.failures()));
        return finish(Outcome.FAILED, reasons, active, tracks);
      }
      long m0 = clock.nanoTime();
      List<Op> ops = new ArrayList<>();
      List<Step> steps = experiment.method();
      for (int i = 0; i < steps.size(); i++) {
        Step s = steps.get(i);
        ops.add(new Op(m0 + s.at().toNanos(), true, i, s));
        if (s.duration() != null) {
          ops.add(new Op(m0 + s.end().toNanos(), false, i, s));
        }
      }
      // Stops before starts at the same instant; otherwise in time, then file order.
      ops.sort(
          Comparator.comparingLong(Op::at).thenComparing(Op::start).thenComparingInt(Op::index));
      long interval = experiment.hypothesis().interval().toNanos();
      long methodEnd = m0 + experiment.methodEnd().toNanos();
      long deadline = methodEnd + experiment.recovery().toNanos();
      long nextProbe = m0 + interval;
      int next = 0;
      boolean recovered = false;
      while (!recovered) {
        long nextOp = next < ops.size() ? ops.get(next).at() : Long.MAX_VALUE;
        if (next >= ops.size() && nextProbe > deadline) {
          outcome = Outcome.FAILED;
          reasons.add(
              "the hypothesis did not hold again within "
                  + experiment.recovery().toMillis()
                  + " ms after the last fault ended");
          break;
        }
        long target = Math.min(nextOp, nextProbe);
        if (!waitUntil(target)) {
          outcome = Outcome.ABORTED;
          reasons.add("aborted");
          break;
        }
        if (nextOp <= nextProbe) {
          Op op = ops.get(next++);
          Track track = tracks.get(op.step().name());
          if (op.start()) {
            track.start = clock.nanoTime();
            if (op.step().duration() == null) {
              track.end = track.start;
            }
            try {
              ActionExecutor.Handle h =
                  executors.get(op.step().action().type()).start(op.step().action());
              emit(
                  "step-start",
                  op.step().name(),
                  Map.of("action", op.step().action().type().toString()));
              if (op.step().duration() != null) {
                active.put(op.step().name(), h);
              }
            } catch (Exception e) {
              emit("step-error", op.step().name(), Map.of("error", String.valueOf(e)));
              outcome = Outcome.FAILED;
              reasons.add("step " + op.step().name() + " failed to start: " + e);
              break;
            }
          } else {
            track.end = clock.nanoTime();
            ActionExecutor.Handle h = active.remove(op.step().name());
            if (h != null) {
              try {
                h.stop();
                emit("step-stop", op.step().name(), Map.of());
              } catch (Exception e) {
                emit("step-error", op.step().name(), Map.of("error", String.valueOf(e)));
                outcome = Outcome.FAILED;
                reasons.add("step " + op.step().name() + " failed to stop: " + e);
              }
            }
          }
          continue;
        }
        nextProbe += interval;
        long now = clock.nanoTime();
        // Before the first step starts (the lead-in) rounds are only recorded: no fault is active
        // yet, so a failure there is the system's own noise, not a fault's effect.
        boolean started = next > 0;
        boolean during = started && (next < ops.size() || now < methodEnd || !active.isEmpty());
        Round r = probeRound(!started ? "lead-in" : during ? "during" : "after");
        for (Track t : tracks.values()) {
          if (t.start < 0) {
            continue;
          }
          boolean inWindow = t.end < 0 || now <= t.end;
          if (!r.allOk()) {
            if (t.onset == null && t.recovery == null) {
              t.onset = now - t.start;
            }
            if (inWindow) {
              t.violations++;
            }
          } else if (t.end >= 0 && t.recovery == null && now >= t.end) {
            t.recovery = now - t.end;
          }
        }
        if (during) {
          for (Probe p : experiment.hypothesis().probes()) {
            ProbeResult res = r.results().get(p.name());
            if (p.during() && !res.ok()) {
              outcome = Outcome.FAILED;
              reasons.add("probe " + p.name() + " failed during the faults: " + res.detail());
            }
          }
        } else if (started && r.allOk()) {
          recovered = true;
        }
      }
      return finish(outcome, reasons, active, tracks);
    } catch (RuntimeException e) {
      reasons.add("runner error: " + e);
      return finish(Outcome.FAILED, reasons, active, tracks);
    }
  }

  private boolean waitUntil(long target) {
    while (clock.nanoTime() < target) {
      if (aborted) {
        return false;
      }
      try {
        sleeper.sleepUntil(Math.min(target, clock.nanoTime() + SLICE_NANOS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        aborted = true;
        return false;
      }
    }
    return !aborted;
  }

  private Verdict finish(
      Outcome outcome,
      Set<String> reasons,
      Map<String, ActionExecutor.Handle> active,
      Map<String, Track> tracks) {
    List<String> names = new ArrayList<>(active.keySet());
    java.util.Collections.reverse(names);
    for (String name : names) {
      try {
        active.get(name).stop();
        emit("step-stop", name, Map.of("early", true));
      } catch (Exception e) {
        emit("step-error", name, Map.of("error", String.valueOf(e)));
        reasons.add("step " + name + " failed to stop: " + e);
        if (outcome == Outcome.PASSED) {
          outcome = Outcome.FAILED;
        }
      }
    }
    active.clear();
    List<Action> rollbacks = experiment.rollbacks();
    for (int i = 0; i < rollbacks.size(); i++) {
      Action a = rollbacks.get(i);
      String name = "rollback-" + (i + 1);
      try {
        executors.get(a.type()).start(a);
        emit("rollback", name, Map.of("action", a.type().toString()));
      } catch (Exception e) {
        emit("rollback-error", name, Map.of("error", String.valueOf(e)));
        reasons.add(name + " failed: " + e);
        if (outcome == Outcome.PASSED) {
          outcome = Outcome.FAILED;
        }
      }
    }
    List<StepMeasurement> steps = new ArrayList<>();
    tracks.forEach(
        (name, t) ->
            steps.add(
                new StepMeasurement(
                    name,
                    t.onset == null ? null : TimeUnit.NANOSECONDS.toMillis(t.onset),
                    t.violations,
                    t.recovery == null ? null : TimeUnit.NANOSECONDS.toMillis(t.recovery))));
    Verdict v = new Verdict(outcome, List.copyOf(reasons), List.copyOf(steps));
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT));
    data.put("reasons", v.reasons());
    emit("verdict", experiment.name(), data);
    return v;
  }

  private Round probeRound(String phase) {
    Map<String, ProbeResult> results = new LinkedHashMap<>();
    boolean allOk = true;
    for (Probe p : experiment.hypothesis().probes()) {
      ProbeResult r;
      try {
        r = evaluators.get(p.type()).evaluate(p);
      } catch (Exception e) {
        r = new ProbeResult(false, Double.NaN, "probe error: " + e);
      }
      results.put(p.name(), r);
      allOk &= r.ok();
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("phase", phase);
      data.put("ok", r.ok());
      data.put("value", Double.isFinite(r.value()) ? r.value() : null);
      data.put("detail", r.detail());
      emit("probe", p.name(), data);
    }
    return new Round(allOk, results);
  }

  private void emit(String kind, String name, Map<String, Object> data) {
    events.accept(
        new Event(TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - t0), kind, name, data));
  }
}
