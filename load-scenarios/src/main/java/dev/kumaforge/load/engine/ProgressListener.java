package dev.kumaforge.load.engine;

/** Receives a {@link Progress} every second of a run, on the engine's reporting thread. */
@FunctionalInterface
public interface ProgressListener {
  /** A listener that ignores progress. */
  ProgressListener NONE = p -> {};

  /** Called once per second; must return quickly. */
  void onProgress(Progress progress);
}
