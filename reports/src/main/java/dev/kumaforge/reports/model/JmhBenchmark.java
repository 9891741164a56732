package dev.kumaforge.reports.model;

/**
 * One benchmark of a JMH JSON result ({@code -rf json}) included in the report.
 *
 * @param benchmark fully qualified benchmark method, with its parameters appended as {@code
 *     [k=v,...]} when it has any
 * @param mode JMH mode: {@code thrpt}, {@code avgt}, {@code sample}, {@code ss}
 * @param threads threads per fork
 * @param forks forks
 * @param score the primary metric's score
 * @param scoreError its error (99.9% confidence half-width), NaN when JMH gave none
 * @param unit the score's unit, e.g. {@code ops/s} or {@code ns/op}
 */
public record JmhBenchmark(
    String benchmark,
    String mode,
    int threads,
    int forks,
    double score,
    double scoreError,
    String unit) {}
