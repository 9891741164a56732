package dev.kumaforge.harness.peers;

import java.util.Locale;

/** The peer gateways the harness can run: their binary names. */
public enum PeerKind {
  NGINX("nginx"),
  HAPROXY("haproxy"),
  ENVOY("envoy");

  private final String binary;

  PeerKind(String binary) {
    this.binary = binary;
  }

  /** The program's file name. */
  public String binary() {
    return binary;
  }

  /** The kind named {@code name} (case-insensitive), as in a scenario's target type. */
  public static PeerKind of(String name) {
    for (PeerKind k : values()) {
      if (k.binary.equals(name.toLowerCase(Locale.ROOT))) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "'" + name + "' is not a peer kind (expected: nginx, haproxy or envoy)");
  }

  @Override
  public String toString() {
    return binary;
  }
}
