package dev.kumaforge.harness.run;

import dev.kumaforge.reports.RunReport;
import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.render.SummaryTable;
import java.nio.file.Path;

/** Writes a run folder's reports, prints the short table, and returns the verdict's exit code. */
public final class Reporting {
  private Reporting() {}

  /** Writes the reports of {@code runDir}; returns 0 pass, 1 an SLO failed, 2 invalid. */
  public static int writeReports(Path runDir, Console console) {
    Summary summary = RunReport.generate(runDir);
    console.line("");
    console.line(SummaryTable.render(summary));
    return RunReport.exitCode(summary);
  }
}
