package dev.kumaforge.harness.run;

import dev.kumaforge.load.scenario.Scenario;
import dev.kumaforge.load.scenario.Target;
import dev.kumaforge.load.scenario.TargetType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The order in which a run visits its targets: trials interleaved across targets (A B C A B C ...),
 * so slow drift of the machine spreads over every target instead of biasing one.
 */
public record RunPlan(Scenario scenario, List<Step> steps) {
  /** Target types this build of the harness can start. */
  public static final Set<TargetType> SUPPORTED =
      EnumSet.of(TargetType.DIRECT, TargetType.REFERENCE, TargetType.EXTERNAL);

  /** One trial of one target. */
  public record Step(Target target, int trial) {}

  /** Plans {@code scenario}; rejects target types that cannot run here, before anything starts. */
  public static RunPlan of(Scenario scenario) {
    List<String> unsupported = new ArrayList<>();
    for (int i = 0; i < scenario.targets().size(); i++) {
      Target t = scenario.targets().get(i);
      if (!SUPPORTED.contains(t.type())) {
        unsupported.add(
            "targets["
                + i
                + "].type: "
                + t.type()
                + " is not available in this build (supported: "
                + SUPPORTED
                + ")");
      }
    }
    if (!unsupported.isEmpty()) {
      throw new dev.kumaforge.common.config.ConfigException(
          "scenario " + scenario.name(),
          unsupported.stream()
              .map(m -> new dev.kumaforge.common.config.ConfigError("", m))
              .toList());
    }
    List<Step> steps = new ArrayList<>();
    for (int trial = 1; trial <= scenario.trials(); trial++) {
      for (Target t : scenario.targets()) {
        steps.add(new Step(t, trial));
      }
    }
    return new RunPlan(scenario, List.copyOf(steps));
  }
}
