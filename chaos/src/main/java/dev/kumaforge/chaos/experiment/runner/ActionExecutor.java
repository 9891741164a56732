package dev.kumaforge.chaos.experiment.runner;

import dev.kumaforge.chaos.experiment.Action;

/** Carries out one kind of action; the harness adds executors for processes, Redis, reloads. */
public interface ActionExecutor {
  /** Starts {@code action}; the returned handle reverts it (or does nothing for one-shot ones). */
  Handle start(Action action) throws Exception;

  /** Reverts a started action. */
  interface Handle {
    /** A handle with nothing to revert. */
    Handle NONE = () -> {};

    /** Reverts the action (remove the toxic, enable the proxy, clear faults, restart). */
    void stop() throws Exception;
  }
}
