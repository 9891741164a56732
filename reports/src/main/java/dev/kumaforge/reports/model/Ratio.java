package dev.kumaforge.reports.model;

/**
 * A ratio between two targets measured in the same run, e.g. reference/nginx CPU per request.
 *
 * @param numerator the target on top (a reference gateway)
 * @param denominator the target below (a peer: nginx, haproxy, envoy)
 * @param metric {@code throughput}, {@code added_p50}, {@code added_p99} or {@code cpu_per_request}
 * @param value the ratio of the two targets' figures over all trials merged, or null when the
 *     denominator is zero or a figure is missing
 * @param trials the smallest and largest per-trial ratio (trial k of one target against trial k of
 *     the other, which ran next to each other): the spread
 * @param trialCount how many trials gave a ratio
 */
public record Ratio(
    String numerator,
    String denominator,
    String metric,
    Double value,
    Range trials,
    int trialCount) {}
