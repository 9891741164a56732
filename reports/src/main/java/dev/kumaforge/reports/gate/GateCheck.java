package dev.kumaforge.reports.gate;

/**
 * One check of the gate: a metric of a target, the baseline and run values, how much worse the run
 * is ({@code worsening}, in the metric's unit; negative when better), the allowed worsening ({@code
 * limit}), the trial-to-trial {@code noise}, and whether it passed. A check fails only when the
 * worsening exceeds both the limit and the noise.
 */
public record GateCheck(
    String target,
    String name,
    String metric,
    double baseline,
    double actual,
    double worsening,
    double limit,
    double noise,
    boolean passed,
    String message) {}
