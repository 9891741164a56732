package dev.kumaforge.reports.model;

import java.util.List;

/** The per-trial figures of one target and their spread. */
public record Trials(int count, List<TrialFigures> perTrial, Spread spread) {}
