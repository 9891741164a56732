package dev.kumaforge.reports.model;

import java.util.List;
import java.util.Map;

/**
 * Everything measured for one target, all trials merged exactly (histograms added).
 *
 * <p>{@code requests} = successful + failed requests; {@code latencyUs} is over successful
 * requests; {@code throughputRps} = requests / measured seconds (mean over trials); {@code
 * addedLatencyUs} is null for the baseline target (or when there is no baseline); {@code spectrum}
 * is the percentile spectrum of {@code latencyUs} out to 99.999%; {@code ttftUs}, {@code itlUs} and
 * {@code tpotUs} are null unless the logs hold those tags (streaming LLM workloads); {@code usage},
 * {@code costUsd} and {@code costPer1kRequestsUsd} are null unless the trials' {@code result.json}
 * carry {@code usage} / {@code cost_usd}.
 */
public record TargetSummary(
    String name,
    String type,
    long requests,
    long ok,
    long errors,
    double errorRate,
    double durationS,
    double throughputRps,
    LatencyPercentiles latencyUs,
    LatencyPercentiles errorLatencyUs,
    AddedLatency addedLatencyUs,
    Map<String, Long> errorsByKind,
    Trials trials,
    List<TimePoint> timeseries,
    List<SpectrumPoint> spectrum,
    LatencyPercentiles ttftUs,
    LatencyPercentiles itlUs,
    LatencyPercentiles tpotUs,
    boolean valid,
    String invalidReason,
    Double cpuUsPerRequest,
    TokenUsage usage,
    Double costUsd,
    Double costPer1kRequestsUsd) {}
