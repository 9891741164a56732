package dev.kumaforge.harness.peers;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds peer programs: nginx and haproxy on {@code PATH} or in {@code /usr/sbin}, envoy in {@code
 * ENVOY_BIN} or on {@code PATH}. A missing program skips its targets with a visible note, unless
 * {@code FORGE_REQUIRE_PEERS=1}, which makes it a failure (CI installs the programs).
 */
public final class PeerBinaries {
  /** Environment variable that turns a missing peer program into a failure. */
  public static final String REQUIRE_PEERS = "FORGE_REQUIRE_PEERS";

  /** Environment variable naming the envoy binary. */
  public static final String ENVOY_BIN = "ENVOY_BIN";

  private PeerBinaries() {}

  /**
   * Where a peer program was found.
   *
   * @param kind the peer
   * @param binary the program, or null when missing
   * @param note why it is missing (where it was looked for), or null when found
   * @param required whether a missing program is a failure ({@code FORGE_REQUIRE_PEERS=1})
   */
  public record Lookup(PeerKind kind, Path binary, String note, boolean required) {
    /** True when the program was found. */
    public boolean available() {
      return binary != null;
    }

    /**
     * The program.
     *
     * @throws PeerSkippedException when missing and not required
     * @throws IllegalStateException when missing and required
     */
    public Path require() {
      if (binary != null) {
        return binary;
      }
      if (required) {
        throw new IllegalStateException(note + " (" + REQUIRE_PEERS + "=1: peers are required)");
      }
      throw new PeerSkippedException(kind, note);
    }
  }

  /** Looks {@code kind} up with this process's environment. */
  public static Lookup locate(PeerKind kind) {
    return locate(kind, System.getenv());
  }

  /** Looks {@code kind} up with environment {@code env}. */
  public static Lookup locate(PeerKind kind, Map<String, String> env) {
    boolean required = "1".equals(env.get(REQUIRE_PEERS));
    List<Path> candidates = new ArrayList<>();
    String envoyBin = env.get(ENVOY_BIN);
    if (kind == PeerKind.ENVOY && envoyBin != null && !envoyBin.isBlank()) {
      Path p = Path.of(envoyBin);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return new Lookup(kind, p.toAbsolutePath(), null, required);
      }
      return new Lookup(
          kind,
          null,
          "envoy: " + ENVOY_BIN + "=" + envoyBin + " is not an executable file: target skipped",
          required);
    }
    String path = env.getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isBlank()) {
        candidates.add(Path.of(dir, kind.binary()));
      }
    }
    if (kind != PeerKind.ENVOY) {
      candidates.add(Path.of("/usr/sbin", kind.binary()));
      candidates.add(Path.of("/usr/local/sbin", kind.binary()));
    }
    for (Path p : candidates) {
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return new Lookup(kind, p.toAbsolutePath(), null, required);
      }
    }
    String where =
        kind == PeerKind.ENVOY
            ? "not in " + ENVOY_BIN + " nor on PATH"
            : "not on PATH nor in /usr/sbin or /usr/local/sbin";
    return new Lookup(kind, null, kind.binary() + " is " + where + ": target skipped", required);
  }
}
