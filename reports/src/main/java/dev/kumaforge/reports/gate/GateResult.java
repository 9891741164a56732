package dev.kumaforge.reports.gate;

import dev.kumaforge.common.process.ExitCodes;
import dev.kumaforge.reports.render.internal.Text;
import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of the gate: every check, the problems that make the comparison impossible (an
 * invalid run), and the exit code.
 */
public record GateResult(String scenario, List<GateCheck> checks, List<String> invalid) {

  /** True when the run is valid and every check passed. */
  public boolean passed() {
    return invalid.isEmpty() && checks.stream().allMatch(GateCheck::passed);
  }

  /** 0 passed, 1 a regression beyond threshold and noise, 2 the run (or baseline) is invalid. */
  public int exitCode() {
    if (!invalid.isEmpty()) {
      return ExitCodes.INVALID;
    }
    return passed() ? ExitCodes.OK : ExitCodes.FAILED;
  }

  /** The failed checks. */
  public List<GateCheck> failures() {
    return checks.stream().filter(c -> !c.passed()).toList();
  }

  /** A plain-text report for the terminal: failures first, then a one-line verdict. */
  public String render() {
    StringBuilder b = new StringBuilder();
    invalid.forEach(i -> b.append("INVALID  ").append(i).append('\n'));
    for (GateCheck c : checks) {
      b.append(c.passed() ? "ok       " : "FAIL     ")
          .append(c.target())
          .append("  ")
          .append(c.name())
          .append(": ")
          .append(c.message())
          .append('\n');
    }
    long failed = failures().size();
    b.append("gate: ")
        .append(
            !invalid.isEmpty()
                ? "INVALID"
                : failed == 0 ? "PASS" : "FAIL (" + failed + " of " + checks.size() + " checks)")
        .append('\n');
    return b.toString();
  }

  /** JUnit XML: one test case per check (failures carry the numbers), invalid runs as errors. */
  public String junitXml() {
    List<String> cases = new ArrayList<>();
    for (String i : invalid) {
      cases.add(
          "    <testcase classname=\"forge.gate."
              + Text.xml(scenario)
              + "\" name=\"run valid\" time=\"0\">\n      <error type=\"InvalidRun\" message=\""
              + Text.xml(i)
              + "\"/>\n    </testcase>\n");
    }
    for (GateCheck c : checks) {
      StringBuilder tc = new StringBuilder();
      tc.append("    <testcase classname=\"forge.gate.")
          .append(Text.xml(scenario))
          .append('.')
          .append(Text.xml(c.target()))
          .append("\" name=\"")
          .append(Text.xml(c.name()))
          .append("\" time=\"0\">\n");
      if (!c.passed()) {
        tc.append("      <failure type=\"Regression\" message=\"")
            .append(Text.xml(c.message()))
            .append("\">")
            .append(Text.xml(c.target() + ": " + c.name() + ": " + c.message()))
            .append("</failure>\n");
      }
      tc.append("    </testcase>\n");
      cases.add(tc.toString());
    }
    int failures = failures().size();
    String counts =
        "tests=\""
            + cases.size()
            + "\" failures=\""
            + failures
            + "\" errors=\""
            + invalid.size()
            + "\"";
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"forge gate\" "
        + counts
        + ">\n  <testsuite name=\"forge.gate."
        + Text.xml(scenario)
        + "\" "
        + counts
        + " skipped=\"0\">\n"
        + String.join("", cases)
        + "  </testsuite>\n</testsuites>\n";
  }
}
