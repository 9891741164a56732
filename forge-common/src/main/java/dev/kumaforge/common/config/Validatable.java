package dev.kumaforge.common.config;

/** A config record that checks its own values after binding; errors go to the given validator. */
public interface Validatable {
  void validate(Validator v);
}
