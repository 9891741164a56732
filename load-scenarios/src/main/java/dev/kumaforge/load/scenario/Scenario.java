package dev.kumaforge.load.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.common.config.ConfigException;
import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.common.config.YamlConfig;
import dev.kumaforge.load.scenario.internal.ScenarioJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A load scenario: backends, targets, workload, SLOs and trials (see {@code
 * load-scenarios/reference.yaml}).
 *
 * @param name lowercase letters, digits, dashes
 * @param description free text
 * @param seed seed of every random choice (default 42)
 * @param backends the mock backends to start, or null when every target is external
 * @param targets the systems under test, at least one
 * @param baseline the target others are compared with (default: the first {@code direct} target, or
 *     null)
 * @param workload how load is applied
 * @param slos objectives (default: none)
 * @param trials how many times each target is measured (default 1)
 * @param cpus CPU pinning of the load generator, targets and backends (default: none)
 */
public record Scenario(
    String name,
    String description,
    Long seed,
    BackendsRef backends,
    List<Target> targets,
    String baseline,
    Workload workload,
    Slos slos,
    Integer trials,
    Cpus cpus)
    implements Validatable {

  static final Pattern NAME = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,62})$");
  static final String NAME_EXPECTED =
      "lowercase letters, digits and dashes, starting with a letter or digit";

  /** Default seed. */
  public static final long DEFAULT_SEED = 42;

  public Scenario {
    seed = seed == null ? DEFAULT_SEED : seed;
    targets = targets == null ? null : List.copyOf(targets);
    slos = slos == null ? Slos.none() : slos;
    trials = trials == null ? 1 : trials;
    if (baseline == null && targets != null) {
      for (Target t : targets) {
        if (t != null && t.type() == TargetType.DIRECT) {
          baseline = t.name();
          break;
        }
      }
    }
  }

  /**
   * Loads, validates and resolves a scenario file: relative paths become absolute against the
   * file's folder and must exist.
   *
   * @throws ConfigException naming every problem with its YAML path
   */
  public static Scenario load(Path file) {
    Scenario raw = YamlConfig.load(file, Scenario.class);
    Path baseDir = file.toAbsolutePath().normalize().getParent();
    Scenario resolved = raw.resolvedAgainst(baseDir);
    Validator v = Validator.root();
    if (resolved.backends != null) {
      checkExists(v.at("backends"), "config", resolved.backends.configPath());
    }
    for (int i = 0; i < resolved.targets.size(); i++) {
      Target t = resolved.targets.get(i);
      if (t.config() != null) {
        checkExists(v.at("targets", i), "config", t.configPath());
      }
      t.checkFiles(v.at("targets", i));
    }
    v.throwIfInvalid(file.toString());
    return resolved;
  }

  private static void checkExists(Validator v, String key, Path path) {
    if (!Files.isRegularFile(path)) {
      v.error(key, "file not found: " + path);
    }
  }

  /** The same scenario with every relative path resolved against {@code baseDir}. */
  public Scenario resolvedAgainst(Path baseDir) {
    List<Target> resolvedTargets = new ArrayList<>();
    for (Target t : targets) {
      resolvedTargets.add(t.resolvedAgainst(baseDir));
    }
    return new Scenario(
        name,
        description,
        seed,
        backends == null ? null : backends.resolvedAgainst(baseDir),
        resolvedTargets,
        baseline,
        workload,
        slos,
        trials,
        cpus);
  }

  /**
   * The scenario as a JSON tree with the YAML's keys, defaults filled in and unit values as strings
   * ({@code "5s"}, {@code "300/s"}); for {@code manifest.json}'s {@code scenario_resolved}. It
   * binds back to an equal scenario.
   */
  public JsonNode toJsonTree() {
    return ScenarioJson.toTree(this);
  }

  /** The target named {@code targetName}. */
  public Target target(String targetName) {
    for (Target t : targets) {
      if (t.name().equals(targetName)) {
        return t;
      }
    }
    throw new IllegalArgumentException("no target named '" + targetName + "' in scenario " + name);
  }

  @Override
  public void validate(Validator v) {
    if (v.required(name, "name")) {
      v.check(NAME.matcher(name).matches(), "name", name, NAME_EXPECTED);
    }
    v.check(trials >= 1 && trials <= 1000, "trials", trials, "1 to 1000");
    if (cpus != null) {
      cpus.validate(v.at("cpus"));
    }
    boolean needsBackends = false;
    if (v.required(targets, "targets")
        && v.check(!targets.isEmpty(), "targets", "[]", "at least one target")) {
      v.each("targets", targets, (tv, t) -> t.validate(tv));
      Set<String> seen = new LinkedHashSet<>();
      for (int i = 0; i < targets.size(); i++) {
        Target t = targets.get(i);
        if (t == null) {
          continue;
        }
        if (t.name() != null && !seen.add(t.name())) {
          v.at("targets", i).error("name", "duplicate target name '" + t.name() + "'");
        }
        needsBackends |= t.type() != null && t.type() != TargetType.EXTERNAL;
        if (workload != null
            && workload.engine() == Engine.GATLING
            && (t.tls() != null || t.connectionPerRequest())) {
          v.at("targets", i)
              .error("tls", "tls and connectionPerRequest need workload.engine: open-loop");
        }
      }
      if (baseline != null && !seen.contains(baseline)) {
        v.error("baseline", "'" + baseline + "' names no target (expected one of: " + seen + ")");
      }
    }
    if (backends != null) {
      backends.validate(v.at("backends"));
    } else if (needsBackends) {
      v.error("backends", "missing required key (a non-external target needs mock backends)");
    }
    if (v.required(workload, "workload")) {
      workload.validate(v.at("workload"));
    }
    slos.validate(v.at("slos"));
  }
}
