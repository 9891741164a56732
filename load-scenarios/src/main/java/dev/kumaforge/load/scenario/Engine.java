package dev.kumaforge.load.scenario;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which load engine drives a workload. */
public enum Engine {
  @JsonProperty("open-loop")
  OPEN_LOOP("open-loop"),
  @JsonProperty("gatling")
  GATLING("gatling");

  private final String yamlName;

  Engine(String yamlName) {
    this.yamlName = yamlName;
  }

  @Override
  public String toString() {
    return yamlName;
  }
}
