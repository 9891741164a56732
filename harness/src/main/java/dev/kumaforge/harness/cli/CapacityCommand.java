package dev.kumaforge.harness.cli;

import dev.kumaforge.harness.capacity.CapacityCriteria;
import dev.kumaforge.harness.capacity.CapacityRunner;
import dev.kumaforge.harness.run.Console;
import dev.kumaforge.harness.run.MockBackendsProcess;
import dev.kumaforge.harness.run.RunOrchestrator;
import dev.kumaforge.load.scenario.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code forge capacity}: the highest rate each target sustains within SLOs. */
@Command(
    name = "capacity",
    mixinStandardHelpOptions = true,
    header = "Find each target's maximum sustainable open-loop rate.",
    description =
        "Find the maximum sustainable open-loop rate of each target of a scenario: the rate grows"
            + " geometrically until a step misses the SLO, then a binary search narrows it down. A step is"
            + " sustained when its latency percentiles and error rate meet --slo, it achieved >= 99%% of the"
            + " offered requests and the load generator kept its schedule. Reports the maximum, the knee"
            + " and, with --needed, how many replicas a rate needs. The scenario's workload request, timeout"
            + " and connection cap are used; its phases are replaced by the search's steps.")
public final class CapacityCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SCENARIO", description = "Scenario file (YAML).")
  Path scenario;

  @Option(
      names = "--slo",
      required = true,
      paramLabel = "TERMS",
      description =
          "Criteria, e.g. \"p99<250ms,errors<0.1%%\" (p50, p90, p99, p999, max, ttft_p99).")
  String slo;

  @Option(names = "--start", paramLabel = "RPS", defaultValue = "100", description = "First rate.")
  double start;

  @Option(names = "--max", paramLabel = "RPS", defaultValue = "100000", description = "Rate cap.")
  double max;

  @Option(
      names = "--growth",
      paramLabel = "X",
      defaultValue = "2",
      description = "Factor between rates before the first miss (default 2).")
  double growth;

  @Option(
      names = "--resolution",
      paramLabel = "FRACTION",
      defaultValue = "0.05",
      description = "Stop when the gap between sustained and failed is this small (default 0.05).")
  double resolution;

  @Option(names = "--max-steps", defaultValue = "14", description = "Step budget per target.")
  int maxSteps;

  @Option(
      names = "--step-duration",
      paramLabel = "SECONDS",
      defaultValue = "10",
      description = "Measured seconds per step (default 10).")
  int stepSeconds;

  @Option(
      names = "--needed",
      paramLabel = "RPS",
      description = "A rate to size for: prints how many replicas it needs.")
  Double needed;

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder.")
  Path out;

  @Override
  public Integer call() throws Exception {
    CapacityCriteria criteria = CapacityCriteria.parse(slo);
    RunOrchestrator.Checked checked = RunOrchestrator.check(scenario);
    Scenario s = checked.scenario();
    var backendsConfig = checked.backends();
    Console console = Console.system();
    RunOrchestrator.pin(s, console);
    CapacityRunner.Settings settings =
        new CapacityRunner.Settings(
            criteria,
            start,
            max,
            growth,
            resolution,
            maxSteps,
            Duration.ofSeconds(stepSeconds),
            Duration.ofSeconds(2),
            needed);
    return new CapacityRunner(
            s,
            dir ->
                backendsConfig == null
                    ? null
                    : MockBackendsProcess.start(
                        s, backendsConfig, dir, Duration.ofSeconds(60), console),
            settings,
            console)
        .run(out);
  }
}
