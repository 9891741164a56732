package dev.kumaforge.harness.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kumaforge.harness.process.ProcessSampler;
import dev.kumaforge.load.engine.ClientOptions;
import dev.kumaforge.load.engine.LoadResult;
import dev.kumaforge.load.engine.OpenLoopEngine;
import dev.kumaforge.load.scenario.JitSettle;
import dev.kumaforge.load.scenario.Scenario;
import dev.kumaforge.load.scenario.Target;
import dev.kumaforge.load.scenario.Workload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Drives a JVM target in rounds until its JIT compiler threads are quiet ({@code
 * targets[].settle}): the first round after the workload's warm-up, every round at the first
 * phase's rate on the open-loop engine, its load not recorded.
 */
final class JitSettling {
  private JitSettling() {}

  /**
   * What settling did.
   *
   * @param settled whether a round's compiler CPU got below the quiet share
   * @param compilerShares the compiler threads' CPU in each round, as a share of one core
   * @param loadTime time spent driving rounds (their warm-up included)
   * @param note why settling was skipped, or null
   */
  record Outcome(boolean settled, List<Double> compilerShares, Duration loadTime, String note) {
    static Outcome skipped(String note) {
      return new Outcome(false, List.of(), Duration.ZERO, note);
    }

    /** The trial's console line. */
    String describe(String target, int trial, JitSettle settle) {
      if (note != null) {
        return "  " + target + " trial " + trial + ": JIT settle skipped: " + note;
      }
      StringBuilder shares = new StringBuilder();
      for (double s : compilerShares) {
        shares.append(shares.length() == 0 ? "" : ", ").append(percent(s));
      }
      return String.format(
          Locale.ROOT,
          "  %s trial %d: JIT %s after %d round%s of %ds (%.0f s with the warm-up); compiler"
              + " threads per round: %s of a core (quiet below %s)",
          target,
          trial,
          settled ? "settled" : "NOT settled",
          compilerShares.size(),
          compilerShares.size() == 1 ? "" : "s",
          settle.round().toSeconds(),
          loadTime.toNanos() / 1e9,
          shares,
          settle.quiet());
    }

    /** Adds this outcome to a trial's {@code result.json} as {@code jit_settle}. */
    void addTo(Path resultJson) {
      TargetProcess.update(
          resultJson,
          root -> {
            ObjectNode js = root.putObject("jit_settle");
            js.put("settled", settled);
            js.put("rounds", compilerShares.size());
            js.put("load_s", Math.round(loadTime.toMillis()) / 1000.0);
            ArrayNode a = js.putArray("compiler_cores_per_round");
            compilerShares.forEach(s -> a.add(Math.round(s * 10000) / 10000.0));
            if (note != null) {
              js.put("skipped", note);
            }
          });
    }
  }

  static String percent(double share) {
    return String.format(Locale.ROOT, share < 0.1 ? "%.2f%%" : "%.1f%%", share * 100);
  }

  /** Runs rounds against {@code url} until the compiler threads are quiet or the time is up. */
  static Outcome run(
      Scenario scenario,
      Target target,
      int trial,
      String url,
      ProcessSampler sampler,
      Console console) {
    JitSettle settle = target.settle();
    ProcessSampler.Snapshot first = sampler == null ? null : sampler.snapshot();
    if (first == null || first.jitMillis() < 0) {
      return Outcome.skipped(
          "no JIT compiler threads visible in /proc/<pid>/task (not a HotSpot JVM, or no /proc)");
    }
    Workload w = scenario.workload();
    List<Double> shares = new ArrayList<>();
    long started = System.nanoTime();
    Path scratch;
    try {
      scratch = Files.createTempDirectory("forge-settle-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a folder for the JIT settle rounds", e);
    }
    try {
      boolean settled = false;
      while (!settled && settle.round().multipliedBy(shares.size()).compareTo(settle.max()) < 0) {
        int n = shares.size() + 1;
        Workload round =
            w.singlePhase("settle-" + n, n == 1 ? w.warmup() : Duration.ZERO, settle.round());
        MeasureStart roundStart = new MeasureStart(sampler, round.warmup());
        LoadResult r =
            new OpenLoopEngine()
                .run(
                    round,
                    scenario.seed() + 7919L * n,
                    URI.create(url),
                    ClientOptions.of(target),
                    scratch.resolve("round-" + n),
                    target.name(),
                    trial,
                    roundStart.listener(console));
        console.endStatus();
        ProcessSampler.Snapshot end = sampler.snapshot();
        double share =
            roundStart.get() == null || end == null ? -1 : end.jitCoresSince(roundStart.get());
        if (share < 0) {
          return new Outcome(
              false,
              shares,
              Duration.ofNanos(System.nanoTime() - started),
              "the target's JIT compiler threads could no longer be read");
        }
        shares.add(share);
        settled = share < settle.quiet().value();
        if (r.errors() > 0) {
          console.line(
              String.format(
                  Locale.ROOT,
                  "  %s trial %d: settle round %d: %d of %d requests failed",
                  target.name(),
                  trial,
                  n,
                  r.errors(),
                  r.completed()));
        }
      }
      return new Outcome(settled, shares, Duration.ofNanos(System.nanoTime() - started), null);
    } finally {
      RunFolder.deleteQuietly(scratch);
    }
  }
}
