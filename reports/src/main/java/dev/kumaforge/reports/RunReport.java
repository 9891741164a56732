package dev.kumaforge.reports;

import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.common.process.ExitCodes;
import dev.kumaforge.reports.internal.SummaryBuilder;
import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.model.SummaryJson;
import dev.kumaforge.reports.render.HtmlReport;
import dev.kumaforge.reports.render.JunitReport;
import dev.kumaforge.reports.render.MarkdownReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns a run folder into {@code summary.json}, {@code report.md}, {@code report.html} and {@code
 * junit.xml}, each written atomically (temporary file + rename).
 *
 * <pre>{@code
 * Summary s = RunReport.generate(runDir);      // writes the four files into runDir
 * System.out.print(SummaryTable.render(s));
 * int exit = RunReport.exitCode(s);            // 0 pass, 1 SLO failed, 2 invalid
 * }</pre>
 */
public final class RunReport {
  private RunReport() {}

  /** File names of the reports in a run folder. */
  public static final String SUMMARY = "summary.json";

  /** Markdown report file name. */
  public static final String MARKDOWN = "report.md";

  /** HTML report file name. */
  public static final String HTML = "report.html";

  /** JUnit XML file name. */
  public static final String JUNIT = "junit.xml";

  /** Reads {@code runDir} and writes the four report files into it. */
  public static Summary generate(Path runDir) {
    return generate(List.of(runDir), runDir);
  }

  /**
   * Merges several run folders of the same scenario (for example from several load machines: trial
   * {@code n} of a target in every folder is one trial, histograms added exactly) and writes the
   * four report files into {@code outDir}.
   */
  public static Summary generate(List<Path> runDirs, Path outDir) {
    Summary summary = summarize(runDirs);
    write(summary, outDir);
    return summary;
  }

  /** Reads and merges the run folders without writing anything. */
  public static Summary summarize(List<Path> runDirs) {
    return SummaryBuilder.build(runDirs);
  }

  /**
   * The summary of {@code fileOrRunDir}: a {@code summary.json} file, a run folder's {@code
   * summary.json}, or, when a run folder has none yet, its summary computed from the logs (without
   * writing anything). For {@code forge compare} and {@code forge gate}.
   */
  public static Summary load(Path fileOrRunDir) {
    if (Files.isDirectory(fileOrRunDir) && !Files.exists(fileOrRunDir.resolve(SUMMARY))) {
      return summarize(List.of(fileOrRunDir));
    }
    return SummaryJson.read(fileOrRunDir);
  }

  /** Renders every report of {@code summary} and writes them atomically into {@code outDir}. */
  public static void write(Summary summary, Path outDir) {
    String json = SummaryJson.write(summary);
    String md = MarkdownReport.render(summary);
    String html = HtmlReport.render(summary);
    String junit = JunitReport.render(summary);
    AtomicFiles.writeString(outDir.resolve(SUMMARY), json);
    AtomicFiles.writeString(outDir.resolve(MARKDOWN), md);
    AtomicFiles.writeString(outDir.resolve(HTML), html);
    AtomicFiles.writeString(outDir.resolve(JUNIT), junit);
  }

  /** The forge exit code of a summary: 0 pass, 1 an SLO failed, 2 the run is invalid. */
  public static int exitCode(Summary summary) {
    return switch (summary.verdict()) {
      case Summary.PASS -> ExitCodes.OK;
      case Summary.FAIL -> ExitCodes.FAILED;
      default -> ExitCodes.INVALID;
    };
  }
}
