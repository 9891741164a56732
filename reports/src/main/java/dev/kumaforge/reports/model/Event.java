package dev.kumaforge.reports.model;

/**
 * One line of a run folder's {@code events.jsonl}: a fault window edge or a phase boundary.
 *
 * @param tMs milliseconds since the measurement start (warm-up excluded)
 * @param type {@code fault_start}, {@code fault_end} or {@code phase}
 * @param name the fault or phase name; a {@code fault_end} closes the open {@code fault_start} of
 *     the same name
 */
public record Event(long tMs, String type, String name) {
  /** Type of the event opening a fault window. */
  public static final String FAULT_START = "fault_start";

  /** Type of the event closing a fault window. */
  public static final String FAULT_END = "fault_end";

  /** Type of a phase boundary (the phase named starts here). */
  public static final String PHASE = "phase";
}
