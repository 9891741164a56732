package dev.kumaforge.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.reports.model.Summary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad run folder gives a clear error naming the file; invalid trials are flagged. */
class BadRunFolderTest {
  @TempDir Path tmp;

  @Test
  void missingManifestNamesTheFile() throws IOException {
    Path run = Fixtures.copyRun("golden", tmp);
    Files.delete(run.resolve("manifest.json"));
    assertThatThrownBy(() -> RunReport.generate(run))
        .isInstanceOf(ReportException.class)
        .hasMessageContaining(run.resolve("manifest.json").toString());
    assertNoReportFiles(run);
  }

  @Test
  void missingRunFolderIsNamed() {
    Path run = tmp.resolve("nope");
    assertThatThrownBy(() -> RunReport.generate(run))
        .isInstanceOf(ReportException.class)
        .hasMessageContaining(run.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void malformedManifestNamesTheFileAndField() throws IOException {
    Path run = Fixtures.copyRun("golden", tmp);
    Files.writeString(run.resolve("manifest.json"), "{\"scenario\":\"x\",\"targets\":[{}]}");
    assertThatThrownBy(() -> RunReport.generate(run))
        .hasMessageContaining("manifest.json")
        .hasMessageContaining("\"name\" at targets[0]");
    Files.writeString(run.resolve("manifest.json"), "{not json");
    assertThatThrownBy(() -> RunReport.generate(run))
        .hasMessageContaining("manifest.json")
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void unknownSloPercentileIsNamed() throws IOException {
    Path run = Fixtures.copyRun("golden", tmp);
    Path m = run.resolve("manifest.json");
    Files.writeString(m, Files.readString(m).replace("\"p999\":40000", "\"p95\":40000"));
    assertThatThrownBy(() -> RunReport.generate(run))
        .hasMessageContaining("manifest.json")
        .hasMessageContaining("slos.latency_us.p95");
  }

  @Test
  void corruptHlogNamesTheFile() throws IOException {
    Path run = Fixtures.copyRun("golden", tmp);
    Path hlog = run.resolve("targets/reference/trial-2/latency.hlog");
    String text = Files.readString(hlog);
    Files.writeString(hlog, text.replace("HISTFAAAA", "HISTF!!garbage"));
    assertThatThrownBy(() -> RunReport.generate(run))
        .isInstanceOf(ReportException.class)
        .hasMessageContaining("corrupt histogram log")
        .hasMessageContaining(hlog.toString());
    assertNoReportFiles(run);
  }

  @Test
  void truncatedHlogLineNamesTheFile() throws IOException {
    Path run = Fixtures.copyRun("golden", tmp);
    Path hlog = run.resolve("targets/direct/trial-1/latency.hlog");
    String text = Files.readString(hlog);
    Files.writeString(hlog, text.substring(0, text.length() - 40));
    assertThatThrownBy(() -> RunReport.generate(run)).hasMessageContaining(hlog.toString());
  }

  @Test
  void missingHlogAndResultNameTheFile() throws IOException {
    Path run = Fixtures.copyRun("golden", tmp);
    Path hlog = run.resolve("targets/direct/trial-2/latency.hlog");
    Files.delete(hlog);
    assertThatThrownBy(() -> RunReport.generate(run))
        .hasMessageContaining("missing histogram log " + hlog);
    Path other = Fixtures.copyRun("golden", tmp.resolve("other"));
    Path result = other.resolve("targets/reference/trial-1/result.json");
    Files.delete(result);
    assertThatThrownBy(() -> RunReport.generate(other))
        .hasMessageContaining("missing trial result " + result);
  }

  @Test
  void invalidTrialIsFlaggedEverywhere() throws IOException {
    Path run = Fixtures.copyRun("golden", tmp);
    Path result = run.resolve("targets/reference/trial-2/result.json");
    Files.writeString(
        result,
        Files.readString(result)
            .replace(
                "\"valid\":true,\"invalid_reason\":null",
                "\"valid\":false,\"invalid_reason\":\"generator lag p99 2.5ms exceeded 1ms\""));
    Summary s = RunReport.generate(run);
    assertThat(s.verdict()).isEqualTo(Summary.INVALID);
    assertThat(RunReport.exitCode(s)).isEqualTo(2);
    assertThat(s.target("reference").orElseThrow().valid()).isFalse();
    assertThat(s.target("reference").orElseThrow().invalidReason())
        .isEqualTo("trial 2: generator lag p99 2.5ms exceeded 1ms");
    assertThat(Files.readString(run.resolve("junit.xml")))
        .contains("errors=\"1\"")
        .contains("<error type=\"InvalidTrial\" message=\"generator lag p99 2.5ms exceeded 1ms\"");
    assertThat(Files.readString(run.resolve("report.md")))
        .contains("WARNING: invalid data")
        .contains("**reference** trial 2: INVALID: generator lag p99 2.5ms exceeded 1ms");
    assertThat(Files.readString(run.resolve("report.html")))
        .contains("Invalid data: these numbers are not trusted")
        .contains("class=\"badge invalid\"");
  }

  @Test
  void missingTrialMarksTargetInvalid() throws IOException {
    Path run = Fixtures.copyRun("golden", tmp);
    Path trial = run.resolve("targets/direct/trial-2");
    try (Stream<Path> files = Files.list(trial)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.delete(p);
      }
    }
    Files.delete(trial);
    Summary s = RunReport.generate(run);
    assertThat(s.verdict()).isEqualTo(Summary.INVALID);
    assertThat(s.target("direct").orElseThrow().invalidReason())
        .isEqualTo("expected 2 trial(s) under targets/direct/, found 1");
  }

  @Test
  void targetWithoutAnyTrialStillRendersAndIsInvalid() throws IOException {
    Path run = Fixtures.copyRun("golden", tmp);
    Path m = run.resolve("manifest.json");
    Files.writeString(
        m,
        Files.readString(m)
            .replace(
                "{\"name\":\"reference\",\"type\":\"reference\"}",
                "{\"name\":\"reference\",\"type\":\"reference\"},{\"name\":\"nginx\",\"type\":\"nginx\"}"));
    Summary s = RunReport.generate(run);
    assertThat(s.target("nginx").orElseThrow().invalidReason())
        .isEqualTo("expected 2 trial(s) under targets/nginx/, found 0");
    assertThat(s.target("nginx").orElseThrow().addedLatencyUs()).isNull();
    assertThat(Files.readString(run.resolve("report.html"))).contains("<svg id='spectrum'");
    assertThat(Files.readString(run.resolve("junit.xml")))
        .contains("name=\"trial data present\"")
        .contains("found 0");
  }

  private static void assertNoReportFiles(Path run) throws IOException {
    try (Stream<Path> files = Files.list(run)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .doesNotContain("summary.json", "report.md", "report.html", "junit.xml")
          .noneMatch(n -> n.endsWith(".tmp"));
    }
  }
}
