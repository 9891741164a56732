package dev.kumaforge.harness.cli;

import dev.kumaforge.reports.RunReport;
import dev.kumaforge.reports.compare.Comparison;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code forge compare A B}: two runs side by side. */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    header = "Show two runs side by side, with the trial-to-trial noise of each.",
    description = {
      "Show two runs side by side, target by target: throughput, latency percentiles, errors and",
      "CPU, with the difference B - A and the trial-to-trial noise of each, so a difference inside",
      "the noise is marked as such. A and B are run folders or summary.json files."
    })
public final class CompareCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "A", description = "The earlier run (folder or summary).")
  Path a;

  @Parameters(index = "1", paramLabel = "B", description = "The later run (folder or summary).")
  Path b;

  @Override
  public Integer call() {
    Comparison c = Comparison.of(RunReport.load(a), RunReport.load(b));
    System.out.print(c.render());
    return 0;
  }
}
