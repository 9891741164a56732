/** The noise-aware CI regression gate: a run against a baseline summary. */
package dev.kumaforge.reports.gate;
