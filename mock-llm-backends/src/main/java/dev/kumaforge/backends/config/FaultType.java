package dev.kumaforge.backends.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The kinds of L7 fault a provider can inject; all but freeze apply per request. */
public enum FaultType {
  /**
   * The whole provider freezes for {@code duration} from the moment the fault is installed: no
   * response byte leaves its port (admin endpoints excepted) until the freeze ends.
   */
  @JsonProperty("freeze")
  FREEZE("freeze"),
  /** Answer with an error of {@code status} in the provider's own shape. */
  @JsonProperty("error")
  ERROR("error"),
  /** A latency spike: the whole answer is {@code duration} later. */
  @JsonProperty("latency")
  LATENCY("latency"),
  /** Stall before the response headers for {@code duration}. */
  @JsonProperty("stallBeforeHeaders")
  STALL_BEFORE_HEADERS("stallBeforeHeaders"),
  /**
   * The response head (status line and headers) trickles out in small pieces over {@code duration};
   * the body follows at once.
   */
  @JsonProperty("slowHeaders")
  SLOW_HEADERS("slowHeaders"),
  /** Streams only: pause {@code duration} after {@code afterTokens} tokens. */
  @JsonProperty("stallMidStream")
  STALL_MID_STREAM("stallMidStream"),
  /** Streams only: after {@code afterTokens} tokens send an error frame and end the stream. */
  @JsonProperty("midStreamError")
  MID_STREAM_ERROR("midStreamError"),
  /** After {@code afterTokens} tokens close the connection without [DONE] / message_stop. */
  @JsonProperty("truncate")
  TRUNCATE("truncate"),
  /** After {@code afterTokens} tokens send one malformed (non-JSON) data frame, then go on. */
  @JsonProperty("malformedChunk")
  MALFORMED_CHUNK("malformedChunk"),
  /** Reset the connection (TCP RST) instead of answering. */
  @JsonProperty("reset")
  RESET("reset");

  private final String yamlName;

  FaultType(String yamlName) {
    this.yamlName = yamlName;
  }

  @Override
  public String toString() {
    return yamlName;
  }
}
