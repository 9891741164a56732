package dev.kumaforge.load.scenario;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.nio.file.Path;

/**
 * Where the mock backends come from.
 *
 * @param config the mock backends config file, resolved against the scenario's folder
 */
public record BackendsRef(String config) implements Validatable {

  /** The backends config file as a path. */
  public Path configPath() {
    return Path.of(config);
  }

  BackendsRef resolvedAgainst(Path baseDir) {
    return config == null ? this : new BackendsRef(baseDir.resolve(config).normalize().toString());
  }

  @Override
  public void validate(Validator v) {
    v.required(config, "config");
  }
}
