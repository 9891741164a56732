/** The versioned summary.json model (documented in reports/SCHEMA.md) and its JSON codec. */
package dev.kumaforge.reports.model;
