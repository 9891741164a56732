/**
 * Parsing of durations, rates, sizes and percentages as written in YAML and on the command line.
 */
package dev.kumaforge.common.units;
