package dev.kumaforge.common.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Collects validation errors, each with its YAML path.
 *
 * <pre>{@code
 * Validator v = Validator.root();
 * v.check(rate > 0, "rate", rate, "> 0");  // -> "rate: -5 (expected: > 0)"
 * v.each("phases", phases, (pv, phase) -> phase.validate(pv));
 * v.throwIfInvalid("scenario.yaml");
 * }</pre>
 */
public final class Validator {
  private final String prefix;
  private final List<ConfigError> errors;

  private Validator(String prefix, List<ConfigError> errors) {
    this.prefix = prefix;
    this.errors = errors;
  }

  /** A validator for a whole document. */
  public static Validator root() {
    return new Validator("", new ArrayList<>());
  }

  /** A child validator for the key {@code key} below this one; errors go to the same list. */
  public Validator at(String key) {
    return new Validator(path(key), errors);
  }

  /** A child validator for element {@code index} of the list {@code key}. */
  public Validator at(String key, int index) {
    return new Validator(path(key) + "[" + index + "]", errors);
  }

  /** The full path of {@code key} below this validator. */
  public String path(String key) {
    if (key == null || key.isEmpty()) {
      return prefix;
    }
    return prefix.isEmpty() ? key : prefix + "." + key;
  }

  /** Records {@code key: value (expected: expectation)} unless {@code ok}. */
  public boolean check(boolean ok, String key, Object value, String expectation) {
    if (!ok) {
      errors.add(new ConfigError(path(key), value + " (expected: " + expectation + ")"));
    }
    return ok;
  }

  /** Records that the required {@code key} is missing unless {@code value} is present. */
  public boolean required(Object value, String key) {
    if (value == null || (value instanceof String s && s.isBlank())) {
      errors.add(new ConfigError(path(key), "missing required key"));
      return false;
    }
    return true;
  }

  /** Records a free-form error at {@code key}. */
  public void error(String key, String message) {
    errors.add(new ConfigError(path(key), message));
  }

  /** Validates each element of a list under {@code key[i]}; a null list is skipped. */
  public <T> void each(String key, List<T> items, BiConsumer<Validator, T> check) {
    if (items == null) {
      return;
    }
    for (int i = 0; i < items.size(); i++) {
      T item = items.get(i);
      Validator child = at(key, i);
      if (item == null) {
        child.error("", "empty list element");
      } else {
        check.accept(child, item);
      }
    }
  }

  public List<ConfigError> errors() {
    return List.copyOf(errors);
  }

  public boolean isValid() {
    return errors.isEmpty();
  }

  /** Throws a {@link ConfigException} naming {@code source} when any error was recorded. */
  public void throwIfInvalid(String source) {
    if (!errors.isEmpty()) {
      throw new ConfigException(source, errors);
    }
  }
}
