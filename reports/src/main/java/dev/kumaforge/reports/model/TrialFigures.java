package dev.kumaforge.reports.model;

import java.util.List;
import java.util.Map;

/**
 * The figures of one trial of one target; when several run folders were merged, the trial's
 * histograms were added and {@code sources} names every folder. {@code jit} is null for a target
 * that is not a JVM the harness started.
 */
public record TrialFigures(
    int trial,
    List<String> sources,
    long requests,
    long errors,
    double errorRate,
    double durationS,
    double throughputRps,
    LatencyPercentiles latencyUs,
    LatencyPercentiles lagUs,
    Map<String, Long> errorsByKind,
    boolean valid,
    String invalidReason,
    Double cpuUsPerRequest,
    TokenUsage usage,
    Double costUsd,
    JitFigures jit) {}
