package dev.kumaforge.chaos.experiment.runner;

import java.util.Map;

/**
 * One line of {@code events.jsonl}.
 *
 * @param tMillis milliseconds since the experiment started
 * @param kind experiment-start, probe, step-start, step-stop, step-error, rollback, verdict, ...
 * @param name the probe, step or experiment name
 * @param data details (values, outcome, error)
 */
public record Event(long tMillis, String kind, String name, Map<String, Object> data) {}
