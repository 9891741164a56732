package dev.kumaforge.reports.model;

/**
 * One SLO checked against one target, e.g. {@code latency p99 <= 100ms}; {@code metric} is the
 * summary field it reads ("latency_us.p99", "error_rate") and threshold/actual are in that field's
 * unit.
 */
public record SloResult(
    String target, String name, String metric, double threshold, double actual, boolean passed) {}
