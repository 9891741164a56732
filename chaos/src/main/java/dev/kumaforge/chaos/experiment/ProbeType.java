package dev.kumaforge.chaos.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a probe measures. */
public enum ProbeType {
  /** Client error ratio of the running load over {@code window} (0 to 1), checked against max. */
  @JsonProperty("error-rate")
  ERROR_RATE("error-rate"),
  /** A latency percentile of the running load over {@code window}, checked against maxLatency. */
  @JsonProperty("latency")
  LATENCY("latency"),
  /** An HTTP GET of {@code url}, checked against the expected status. */
  @JsonProperty("http")
  HTTP("http"),
  /** A Prometheus sample scraped from {@code url}, checked against min and max. */
  @JsonProperty("metric")
  METRIC("metric");

  private final String wire;

  ProbeType(String wire) {
    this.wire = wire;
  }

  @Override
  public String toString() {
    return wire;
  }
}
