package dev.kumaforge.harness.run;

import java.util.OptionalLong;

/** A target that is up and serving: where to send load, and which process to sample. */
public interface RunningTarget extends AutoCloseable {
  /** The base URL load goes to. */
  String url();

  /** The target's process, when the harness started one (its CPU and RSS are sampled). */
  OptionalLong pid();

  /** Throws when the target's process died while it was measured. */
  void checkAlive();

  /** Stops the target's process, if any. */
  @Override
  void close();

  /** A target the harness did not start (direct to a backend, or an external URL). */
  static RunningTarget unmanaged(String url) {
    return new RunningTarget() {
      @Override
      public String url() {
        return url;
      }

      @Override
      public OptionalLong pid() {
        return OptionalLong.empty();
      }

      @Override
      public void checkAlive() {}

      @Override
      public void close() {}
    };
  }
}
