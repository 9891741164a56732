package dev.kumaforge.reports.model;

/** One point of a latency percentile spectrum: percentile (0-100) and its value in µs. */
public record SpectrumPoint(double percentile, long valueUs) {}
