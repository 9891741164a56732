package dev.kumaforge.harness.chaos;

/** A process an experiment may kill and start again on the same addresses. */
public interface Killable {
  /** The name experiments use as {@code target}. */
  String name();

  /** Whether the process runs. */
  boolean isAlive();

  /**
   * Kills the process and waits until it is gone.
   *
   * @param force SIGKILL (kill -9) when true, SIGTERM otherwise
   */
  void kill(boolean force) throws InterruptedException;

  /** Starts the process again on the same addresses and waits until it is ready. */
  void start() throws InterruptedException;
}
