package dev.kumaforge.chaos.experiment;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.common.config.YamlConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A chaos experiment ({@code chaos/experiments/*.yaml}); every key is documented in {@code
 * chaos/reference.yaml}.
 *
 * @param name experiment name, required
 * @param description what it shows and the expected behaviour
 * @param load the load scenario that runs open-loop for the whole experiment (run by the harness)
 * @param hypothesis the steady-state hypothesis, required
 * @param method the fault timeline (at least one step)
 * @param recovery how long after the last fault ends the hypothesis may take to hold again (default
 *     30s)
 * @param rollbacks actions that always run at the end, also after a failure or Ctrl-C
 */
public record Experiment(
    String name,
    String description,
    Load load,
    Hypothesis hypothesis,
    List<Step> method,
    Duration recovery,
    List<Action> rollbacks)
    implements Validatable {

  /**
   * The load of an experiment.
   *
   * @param scenario path of the load scenario file, relative to the experiment file
   */
  public record Load(String scenario) {}

  /** Applies defaults and names unnamed steps {@code step-<index>}. */
  public Experiment {
    recovery = recovery == null ? Duration.ofSeconds(30) : recovery;
    rollbacks = rollbacks == null ? List.of() : List.copyOf(rollbacks);
    if (method != null) {
      List<Step> named = new ArrayList<>();
      for (int i = 0; i < method.size(); i++) {
        Step s = method.get(i);
        named.add(
            s == null || s.name() != null
                ? s
                : new Step("step-" + (i + 1), s.at(), s.duration(), s.action()));
      }
      method = java.util.Collections.unmodifiableList(named);
    } else {
      method = List.of();
    }
  }

  /** Loads and validates an experiment file; throws a ConfigException naming every problem. */
  public static Experiment load(Path file) {
    return YamlConfig.load(file, Experiment.class);
  }

  /** When the last step ends, from the start of the method. */
  public Duration methodEnd() {
    Duration end = Duration.ZERO;
    for (Step s : method) {
      if (s.end().compareTo(end) > 0) {
        end = s.end();
      }
    }
    return end;
  }

  @Override
  public void validate(Validator v) {
    v.required(name, "name");
    if (v.required(hypothesis, "hypothesis")) {
      hypothesis.validate(v.at("hypothesis"));
    }
    v.check(!method.isEmpty(), "method", "[]", "at least one step");
    Set<String> names = new HashSet<>();
    v.each(
        "method",
        method,
        (sv, s) -> {
          s.validate(sv);
          if (!names.add(s.name())) {
            sv.error("name", "duplicate step name '" + s.name() + "'");
          }
        });
    v.check(!recovery.isNegative(), "recovery", recovery, ">= 0");
    v.each("rollbacks", rollbacks, (rv, a) -> a.validate(rv));
  }
}
