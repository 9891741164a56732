package dev.kumaforge.chaos.proxy;

import java.util.Locale;
import java.util.Optional;

/** The direction a toxic acts on: client to upstream, or upstream to client. */
public enum StreamDirection {
  /** Bytes from the client to the upstream server. */
  UPSTREAM,
  /** Bytes from the upstream server back to the client (the Toxiproxy default). */
  DOWNSTREAM;

  /** The API spelling: {@code upstream} or {@code downstream}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the API spelling (case-sensitive, as Toxiproxy). */
  public static Optional<StreamDirection> parse(String s) {
    for (StreamDirection d : values()) {
      if (d.wireName().equals(s)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }
}
