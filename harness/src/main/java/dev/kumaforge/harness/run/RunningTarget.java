package dev.kumaforge.harness.run;

import dev.kumaforge.harness.process.ProcessSampler;
import java.nio.file.Path;
import java.util.OptionalLong;

/** A target that is up and serving: where to send load, and which process to sample. */
public interface RunningTarget extends AutoCloseable {
  /** The base URL load goes to. */
  String url();

  /** The target's (main) process, when the harness started one. */
  OptionalLong pid();

  /**
   * Starts sampling the target's CPU and RSS into {@code csv}, or returns null when the harness did
   * not start the target's process.
   */
  default ProcessSampler sampler(Path csv) {
    return pid().isPresent() ? ProcessSampler.start(pid().getAsLong(), csv) : null;
  }

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
