package dev.kumaforge.harness.capacity;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * Finds the highest open-loop rate a target sustains: the rate grows geometrically from a start
 * until a step misses the criteria, then a binary search narrows the gap between the last sustained
 * and the first failed rate to a resolution.
 *
 * <pre>
 * rate: 100 -> 200 -> 400 -> 800 (miss) -> 600 -> 700 (miss) -> 650 -> ...  until (fail-pass)/pass <= 5%
 * </pre>
 *
 * Every step is a separate open-loop run; the search itself keeps no clock. A step in which the
 * load generator could not keep its schedule is run once more before it counts as a miss.
 */
public final class CapacitySearch {
  /** One measured step and its verdict. */
  public record Step(StepOutcome outcome, List<String> misses) {
    public boolean sustained() {
      return misses.isEmpty();
    }
  }

  /**
   * The search's result.
   *
   * @param steps every step in the order run
   * @param maxSustainedRps the highest sustained rate, 0 when even the start rate failed
   * @param firstFailedRps the lowest failed rate above it, or NaN when no step failed
   */
  public record Result(List<Step> steps, double maxSustainedRps, double firstFailedRps) {
    /** Replicas needed for {@code rps}, each loaded at most to the max sustained rate. */
    public int replicasFor(double rps) {
      if (maxSustainedRps <= 0) {
        return -1;
      }
      return (int) Math.ceil(rps / maxSustainedRps);
    }
  }

  private final CapacityCriteria criteria;
  private final double startRps;
  private final double growth;
  private final double resolution;
  private final double maxRps;
  private final int maxSteps;

  /**
   * @param startRps first rate tried
   * @param growth factor between rates before the first miss (e.g. 2)
   * @param resolution stop when (failed - sustained) / sustained is at most this (e.g. 0.05)
   * @param maxRps never offer more than this
   * @param maxSteps never run more steps than this
   */
  public CapacitySearch(
      CapacityCriteria criteria,
      double startRps,
      double growth,
      double resolution,
      double maxRps,
      int maxSteps) {
    if (startRps <= 0 || growth <= 1 || resolution <= 0 || maxRps < startRps || maxSteps < 1) {
      throw new IllegalArgumentException(
          "capacity search needs start > 0, growth > 1, resolution > 0, max >= start, steps >= 1");
    }
    this.criteria = criteria;
    this.startRps = startRps;
    this.growth = growth;
    this.resolution = resolution;
    this.maxRps = maxRps;
    this.maxSteps = maxSteps;
  }

  /** Runs the search; {@code runStep} runs one open-loop step at the given rate. */
  public Result run(DoubleFunction<StepOutcome> runStep) {
    List<Step> steps = new ArrayList<>();
    double sustained = 0;
    double failed = Double.NaN;
    double rate = startRps;
    while (steps.size() < maxSteps) {
      StepOutcome o = runStep.apply(rate);
      Step step = new Step(o, criteria.misses(o));
      steps.add(step);
      if (!o.generatorValid() && steps.size() < maxSteps) {
        // The load generator, not the target, missed its schedule (a pause on a shared machine):
        // that says nothing about the target, so the step is measured once more.
        o = runStep.apply(rate);
        step = new Step(o, criteria.misses(o));
        steps.add(step);
      }
      if (step.sustained()) {
        sustained = Math.max(sustained, rate);
      } else {
        failed = Double.isNaN(failed) ? rate : Math.min(failed, rate);
      }
      if (Double.isNaN(failed)) {
        if (rate >= maxRps) {
          break;
        }
        rate = Math.min(maxRps, rate * growth);
      } else {
        double low = sustained;
        if (low <= 0) {
          // Even the start failed: search below it, down to a 1/16th of the start rate.
          if (failed <= startRps / 16) {
            break;
          }
          rate = failed / 2;
          continue;
        }
        if ((failed - low) / low <= resolution) {
          break;
        }
        rate = (low + failed) / 2;
      }
    }
    return new Result(List.copyOf(steps), sustained, failed);
  }
}
