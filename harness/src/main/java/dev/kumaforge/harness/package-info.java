/** The {@code forge} command line: starts backends, targets and load, and writes the run folder. */
package dev.kumaforge.harness;
