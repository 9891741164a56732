package dev.kumaforge.load.scenario;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The rate shape of one workload phase. */
public enum PhaseType {
  /** A fixed {@code rate} for the whole phase. */
  @JsonProperty("constant")
  CONSTANT("constant"),
  /** A rate changing linearly from {@code from} to {@code to} over the phase. */
  @JsonProperty("ramp")
  RAMP("ramp"),
  /** {@code steps} equal-length constant steps from {@code from} to {@code to}. */
  @JsonProperty("step")
  STEP("step");

  private final String yamlName;

  PhaseType(String yamlName) {
    this.yamlName = yamlName;
  }

  @Override
  public String toString() {
    return yamlName;
  }
}
