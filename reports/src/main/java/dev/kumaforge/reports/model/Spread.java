package dev.kumaforge.reports.model;

/** Trial-to-trial spread of the headline figures of one target. */
public record Spread(Range p50Us, Range p99Us, Range p999Us, Range throughputRps) {}
