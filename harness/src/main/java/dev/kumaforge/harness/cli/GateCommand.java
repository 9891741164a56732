package dev.kumaforge.harness.cli;

import dev.kumaforge.reports.RunReport;
import dev.kumaforge.reports.gate.Gate;
import dev.kumaforge.reports.gate.GatePolicy;
import dev.kumaforge.reports.gate.GateResult;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code forge gate}: the CI regression gate. */
@Command(
    name = "gate",
    mixinStandardHelpOptions = true,
    header = "Fail when a run regressed against a baseline (the CI regression gate).",
    description = {
      "Fail (exit 1) when RUN regressed against a baseline beyond both the policy's thresholds and",
      "the trial-to-trial noise; exit 2 when either run is invalid. Writes JUnit XML with --junit.",
      "Policy keys and defaults: reports/baselines/gate.yaml"
    })
public final class GateCommand implements Callable<Integer> {
  @Option(
      names = "--baseline",
      required = true,
      paramLabel = "FILE",
      description = "Baseline run folder or summary.json (e.g. under reports/baselines/).")
  Path baseline;

  @Option(
      names = "--policy",
      paramLabel = "FILE",
      description =
          "Gate policy YAML (default: the built-in policy, as reports/baselines/gate.yaml).")
  Path policy;

  @Option(names = "--junit", paramLabel = "FILE", description = "Write the gate as JUnit XML here.")
  Path junit;

  @Parameters(
      index = "0",
      paramLabel = "RUN",
      description = "The run to check (folder or summary).")
  Path run;

  @Override
  public Integer call() {
    GatePolicy p = policy == null ? GatePolicy.defaults() : GatePolicy.load(policy);
    GateResult result = Gate.check(RunReport.load(baseline), RunReport.load(run), p);
    System.out.print(result.render());
    if (junit != null) {
      Gate.writeJunit(result, junit);
    }
    return result.exitCode();
  }
}
