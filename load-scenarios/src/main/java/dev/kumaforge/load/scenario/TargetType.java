package dev.kumaforge.load.scenario;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The kind of system under test a scenario target names. */
public enum TargetType {
  @JsonProperty("direct")
  DIRECT("direct"),
  @JsonProperty("reference")
  REFERENCE("reference"),
  @JsonProperty("nginx")
  NGINX("nginx"),
  @JsonProperty("haproxy")
  HAPROXY("haproxy"),
  @JsonProperty("envoy")
  ENVOY("envoy"),
  @JsonProperty("external")
  EXTERNAL("external");

  private final String yamlName;

  TargetType(String yamlName) {
    this.yamlName = yamlName;
  }

  /** True for targets that take a gateway config file ({@code config}). */
  public boolean takesConfig() {
    return this == REFERENCE || this == NGINX || this == HAPROXY || this == ENVOY;
  }

  @Override
  public String toString() {
    return yamlName;
  }
}
