package dev.kumaforge.common.config;

/**
 * One problem in a configuration file.
 *
 * @param path the YAML path, for example {@code workload.phases[1].rate}; empty for the document
 * @param message what was wrong and what was expected
 */
public record ConfigError(String path, String message) {
  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
