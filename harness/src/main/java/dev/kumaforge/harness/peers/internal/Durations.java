package dev.kumaforge.harness.peers.internal;

import java.time.Duration;

/** Durations written in peer config syntax. */
public final class Durations {
  private Durations() {}

  /** Milliseconds with an {@code ms} suffix (nginx and HAProxy), at least 1ms. */
  public static String millis(Duration d) {
    return Math.max(1, d.toMillis()) + "ms";
  }

  /** Seconds with up to nine decimals and an {@code s} suffix (protobuf JSON Duration). */
  public static String protoSeconds(Duration d) {
    if (d.getNano() == 0) {
      return d.getSeconds() + "s";
    }
    String nanos = String.format("%09d", d.getNano()).replaceAll("0+$", "");
    return d.getSeconds() + "." + nanos + "s";
  }

  /** The longer of two durations. */
  public static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
