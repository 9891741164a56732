/** The picocli subcommands of {@code forge}, one class each. */
package dev.kumaforge.harness.cli;
