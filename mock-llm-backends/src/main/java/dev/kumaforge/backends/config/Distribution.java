package dev.kumaforge.backends.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The shape of a sampled quantity (inter-token latency, output length). */
public enum Distribution {
  /** Always the mean. */
  @JsonProperty("constant")
  CONSTANT,
  /** Normal with the given mean and standard deviation, truncated at zero. */
  @JsonProperty("normal")
  NORMAL,
  /** Log-normal with the given mean and standard deviation (of the distribution itself). */
  @JsonProperty("lognormal")
  LOGNORMAL,
  /** Output length only: exactly the request's max tokens (or the mean when absent). */
  @JsonProperty("maxTokens")
  MAX_TOKENS;

  @Override
  public String toString() {
    return this == MAX_TOKENS ? "maxTokens" : name().toLowerCase(java.util.Locale.ROOT);
  }
}
