package dev.kumaforge.reports.render;

import dev.kumaforge.reports.internal.Units;
import dev.kumaforge.reports.model.SloResult;
import dev.kumaforge.reports.model.Summary;
import dev.kumaforge.reports.model.TargetSummary;
import dev.kumaforge.reports.model.TrialFigures;
import dev.kumaforge.reports.render.internal.Text;

/**
 * Renders {@code junit.xml}: every SLO per target is a test case (a failure carries actual vs
 * threshold) and every trial is a test case that errors when the trial was invalid.
 */
public final class JunitReport {
  private JunitReport() {}

  /** The JUnit XML document for {@code summary}. */
  public static String render(Summary summary) {
    StringBuilder cases = new StringBuilder();
    int tests = 0;
    int failures = 0;
    int errors = 0;
    for (TargetSummary t : summary.targets()) {
      String cls = "forge." + summary.scenario() + "." + t.name();
      for (TrialFigures tr : t.trials().perTrial()) {
        tests++;
        cases.append(testCase(cls, "trial " + tr.trial() + " valid"));
        if (!tr.valid()) {
          errors++;
          cases
              .append("      <error type=\"InvalidTrial\" message=\"")
              .append(Text.xml(tr.invalidReason()))
              .append("\">")
              .append(Text.xml("trial " + tr.trial() + " of " + t.name() + " is invalid: "))
              .append(Text.xml(tr.invalidReason()))
              .append("</error>\n");
        }
        cases.append("    </testcase>\n");
      }
      if (t.trials().count() == 0) {
        tests++;
        errors++;
        cases
            .append(testCase(cls, "trial data present"))
            .append("      <error type=\"InvalidTrial\" message=\"")
            .append(Text.xml(t.invalidReason()))
            .append("\"/>\n    </testcase>\n");
      }
      for (SloResult s : summary.slos()) {
        if (!s.target().equals(t.name())) {
          continue;
        }
        tests++;
        cases.append(testCase(cls, "SLO " + s.name()));
        if (!s.passed()) {
          failures++;
          String msg =
              "actual " + format(s, s.actual()) + " exceeds threshold " + format(s, s.threshold());
          cases
              .append("      <failure type=\"SloViolation\" message=\"")
              .append(Text.xml(msg))
              .append("\">")
              .append(Text.xml(t.name() + ": " + s.name() + ": " + msg))
              .append("</failure>\n");
        }
        cases.append("    </testcase>\n");
      }
    }
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<testsuites name=\"forge\" tests=\""
        + tests
        + "\" failures=\""
        + failures
        + "\" errors=\""
        + errors
        + "\">\n"
        + "  <testsuite name=\"forge."
        + Text.xml(summary.scenario())
        + "\" tests=\""
        + tests
        + "\" failures=\""
        + failures
        + "\" errors=\""
        + errors
        + "\" skipped=\"0\""
        + (summary.startedAt() == null
            ? ""
            : " timestamp=\"" + Text.xml(summary.startedAt().replace("Z", "")) + "\"")
        + ">\n"
        + cases
        + "  </testsuite>\n</testsuites>\n";
  }

  /** A formatted SLO value in the unit of its metric. */
  static String format(SloResult s, double v) {
    return s.metric().contains("_us.") ? Units.micros(v) : Units.percent(v);
  }

  private static String testCase(String cls, String name) {
    return "    <testcase classname=\""
        + Text.xml(cls)
        + "\" name=\""
        + Text.xml(name)
        + "\" time=\"0\">\n";
  }
}
