package dev.kumaforge.harness.cli;

import dev.kumaforge.harness.run.Console;
import dev.kumaforge.harness.run.RunOrchestrator;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code forge run}: the main job. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    header = "Run a scenario against each target and write a run folder with its reports.",
    description = {
      "Run a scenario: start the mock backends and each target in turn, drive open-loop load with",
      "latency timed from the intended send time, and write a run folder with manifest.json,",
      "per-target .hlog files, summary.json, report.md, report.html and junit.xml.",
      "Scenario keys: load-scenarios/reference.yaml. Example: load-scenarios/quickstart.yaml"
    },
    footer = {
      "",
      "Exit codes: 0 every SLO held, 1 an SLO failed, 2 the input or the run is invalid",
      "(for example a load generator that could not keep its schedule)."
    })
public final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SCENARIO", description = "Scenario file (YAML).")
  Path scenario;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Run folder to write (default: runs/<UTC timestamp>-<scenario name>).")
  Path out;

  @Override
  public Integer call() throws Exception {
    return new RunOrchestrator(scenario, out, Console.system()).run();
  }
}
