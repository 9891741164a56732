package dev.kumaforge.harness.cli;

import dev.kumaforge.harness.run.Console;
import dev.kumaforge.harness.run.Reporting;
import dev.kumaforge.reports.RunReport;
import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.render.SummaryTable;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code forge report}: (re)writes the reports of one run folder, or merges several. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    header = "Write summary.json, report.md, report.html and junit.xml for a run folder.",
    description = {
      "Write summary.json, report.md, report.html and junit.xml for a run folder.",
      "With several run folders (for example from several load machines) the .hlog files are",
      "merged exactly and the merged report goes to --out."
    })
public final class ReportCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "Run folder(s).")
  List<Path> runDirs;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Where the merged report goes (required with several run folders).")
  Path out;

  @Override
  public Integer call() {
    Console console = Console.system();
    if (runDirs.size() == 1 && out == null) {
      return Reporting.writeReports(runDirs.get(0), console);
    }
    if (out == null) {
      throw new IllegalArgumentException(
          "several run folders need --out DIR for the merged report");
    }
    Summary summary = RunReport.generate(runDirs, out);
    console.line(SummaryTable.render(summary));
    console.line("report: " + out.resolve(RunReport.HTML));
    return RunReport.exitCode(summary);
  }
}
