package dev.kumaforge.harness.peers.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Candidate listen ports for programs that cannot bind port 0 (nginx, HAProxy): a random port below
 * (or above) the kernel's ephemeral range, so it never collides with sockets that other processes
 * bind to port 0. Nobody binds it here: the peer binds it, and a peer that finds it taken is
 * restarted on another candidate.
 */
public final class Ports {
  private static final int LOWEST = 10_000;

  private Ports() {}

  /** A random candidate port outside the ephemeral range. */
  public static int candidate() {
    int[] range = ephemeralRange();
    ThreadLocalRandom r = ThreadLocalRandom.current();
    if (range[0] - LOWEST >= 1024) {
      return r.nextInt(LOWEST, range[0]);
    }
    if (65535 - range[1] >= 1024) {
      return r.nextInt(range[1] + 1, 65536);
    }
    return r.nextInt(LOWEST, 32768);
  }

  /**
   * {@code [low, high]} of {@code /proc/sys/net/ipv4/ip_local_port_range}, Linux's default else.
   */
  static int[] ephemeralRange() {
    try {
      String[] f =
          Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
      return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
    } catch (IOException | RuntimeException e) {
      return new int[] {32768, 60999};
    }
  }
}
