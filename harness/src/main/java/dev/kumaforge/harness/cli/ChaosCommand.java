package dev.kumaforge.harness.cli;

import dev.kumaforge.harness.chaos.ChaosRun;
import dev.kumaforge.harness.run.Console;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code forge chaos}: a chaos experiment against real processes under open-loop load. */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    header = "Run a chaos experiment under load and check its steady-state hypothesis.",
    description = {
      "Run a chaos experiment: start its load scenario's mock backends (one process each) and",
      "reference gateway, the chaos proxy in front of the endpoints the experiment's toxics name,",
      "drive the scenario's open-loop load for the whole experiment, check the steady-state",
      "hypothesis before, during and after the faults, and measure per fault its onset, time to",
      "detect, errors in the window, retry amplification and recovery. Writes events.jsonl,",
      "chaos-result.json and chaos-result.md. Keys: chaos/reference.yaml;",
      "examples: chaos/experiments/*.yaml. Ctrl-C stops the faults and runs the rollbacks."
    },
    footer = {
      "",
      "Exit codes: 0 the hypothesis held, 1 it did not (or the run was aborted), 2 the input is",
      "invalid or the load could not keep its open-loop schedule."
    })
public final class ChaosCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "Experiment file (YAML).")
  Path experiment;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Run folder to write (default: runs/<UTC timestamp>-chaos-<experiment name>).")
  Path out;

  @Override
  public Integer call() throws Exception {
    return new ChaosRun(experiment, out, Console.system()).run();
  }
}
