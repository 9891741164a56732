package dev.kumaforge.common.config;

import java.util.List;

/**
 * Thrown when a configuration file cannot be used; carries every error found, not just the first.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final List<ConfigError> errors;

  public ConfigException(String source, List<ConfigError> errors) {
    super(format(source, errors));
    this.source = source;
    this.errors = List.copyOf(errors);
  }

  public ConfigException(String source, String path, String message) {
    this(source, List.of(new ConfigError(path, message)));
  }

  /** The file (or other source) the errors were found in. */
  public String source() {
    return source;
  }

  public List<ConfigError> errors() {
    return errors;
  }

  private static String format(String source, List<ConfigError> errors) {
    StringBuilder sb = new StringBuilder();
    sb.append(source).append(": ");
    if (errors.size() == 1) {
      sb.append(errors.get(0));
    } else {
      sb.append(errors.size()).append(" errors");
      for (ConfigError e : errors) {
        sb.append(System.lineSeparator()).append("  - ").append(e);
      }
    }
    return sb.toString();
  }
}
