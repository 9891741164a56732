package dev.kumaforge.harness.run;

import dev.kumaforge.common.config.ConfigError;
import dev.kumaforge.common.config.ConfigException;
import dev.kumaforge.harness.peers.PeerBinaries;
import dev.kumaforge.harness.peers.PeerKind;
import dev.kumaforge.load.scenario.Scenario;
import dev.kumaforge.load.scenario.Target;
import dev.kumaforge.load.scenario.TargetType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The order in which a run visits its targets: trials interleaved across targets (A B C A B C ...),
 * so slow drift of the machine spreads over every target instead of biasing one. Peer targets whose
 * program is missing are skipped with a visible note (a failure under {@code
 * FORGE_REQUIRE_PEERS=1}).
 */
public record RunPlan(
    Scenario scenario, List<Target> targets, List<Skipped> skipped, List<Step> steps) {
  /** Peer gateways the harness generates configs for. */
  public static final Set<TargetType> PEERS =
      EnumSet.of(TargetType.NGINX, TargetType.HAPROXY, TargetType.ENVOY);

  /** One trial of one target. */
  public record Step(Target target, int trial) {}

  /** A target that will not run, and why. */
  public record Skipped(String target, String reason) {}

  /** Plans {@code scenario}; every problem is reported before anything starts. */
  public static RunPlan of(Scenario scenario) {
    List<ConfigError> errors = new ArrayList<>();
    List<Target> run = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    for (int i = 0; i < scenario.targets().size(); i++) {
      Target t = scenario.targets().get(i);
      if (PEERS.contains(t.type())) {
        if (t.config() == null) {
          errors.add(
              new ConfigError(
                  "targets[" + i + "].config",
                  "missing: a "
                      + t.type()
                      + " target is generated from a reference gateway config"));
          continue;
        }
        PeerBinaries.Lookup lookup = PeerBinaries.locate(PeerKind.of(t.type().toString()));
        if (!lookup.available()) {
          if (lookup.required()) {
            errors.add(new ConfigError("targets[" + i + "]", lookup.note()));
          } else {
            skipped.add(new Skipped(t.name(), lookup.note()));
          }
          continue;
        }
      }
      run.add(t);
    }
    if (!errors.isEmpty()) {
      throw new ConfigException("scenario " + scenario.name(), errors);
    }
    if (run.isEmpty()) {
      throw new ConfigException(
          "scenario " + scenario.name(), "targets", "no target can run here: " + skipped);
    }
    List<Step> steps = new ArrayList<>();
    for (int trial = 1; trial <= scenario.trials(); trial++) {
      for (Target t : run) {
        steps.add(new Step(t, trial));
      }
    }
    return new RunPlan(scenario, List.copyOf(run), List.copyOf(skipped), List.copyOf(steps));
  }
}
