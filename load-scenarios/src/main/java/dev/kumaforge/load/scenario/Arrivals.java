package dev.kumaforge.load.scenario;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How request send times are spaced at a given rate. */
public enum Arrivals {
  /** Evenly spaced: one request every 1/rate seconds. */
  @JsonProperty("constant")
  CONSTANT("constant"),
  /** Exponentially distributed gaps with mean 1/rate (seeded). */
  @JsonProperty("poisson")
  POISSON("poisson"),
  /**
   * Gamma-distributed gaps with mean 1/rate and coefficient of variation {@code
   * workload.burstiness} (1 = Poisson, above 1 = bursty, below 1 = smoother); seeded.
   */
  @JsonProperty("gamma")
  GAMMA("gamma");

  private final String yamlName;

  Arrivals(String yamlName) {
    this.yamlName = yamlName;
  }

  @Override
  public String toString() {
    return yamlName;
  }
}
