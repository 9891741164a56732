package dev.kumaforge.harness.peers;

/**
 * A peer target cannot run here because its program is missing; the caller records the target as
 * skipped and shows {@link #getMessage()} (never thrown when {@code FORGE_REQUIRE_PEERS=1}).
 */
public final class PeerSkippedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final PeerKind kind;

  PeerSkippedException(PeerKind kind, String note) {
    super(note);
    this.kind = kind;
  }

  /** The peer that was skipped. */
  public PeerKind kind() {
    return kind;
  }
}
