package dev.kumaforge.reports.model;

/**
 * One second of a target's time series: seconds since the measurement start, request rate and error
 * rate (mean per trial), and latency p50/p99 of the histograms of that second merged over trials.
 */
public record TimePoint(long tS, double rateRps, double errorsPerS, long p50Us, long p99Us) {}
