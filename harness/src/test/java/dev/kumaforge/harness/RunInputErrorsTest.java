package dev.kumaforge.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad input to {@code forge run}: a clear error, exit code 2, and no run folder at all. */
class RunInputErrorsTest {
  @TempDir Path dir;

  private record Outcome(int exitCode, String err) {}

  private Outcome run(String... args) {
    CommandLine cl = Forge.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    cl.setOut(new PrintWriter(new StringWriter()));
    int code = cl.execute(args);
    return new Outcome(code, err.toString());
  }

  private Path scenario(String yaml) throws Exception {
    Path f = dir.resolve("scenario.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  private void assertNoRunFolder() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .allMatch(n -> n.equals("scenario.yaml"), "only the scenario file, no run folder");
    }
  }

  @Test
  void missingScenarioFile() throws Exception {
    Outcome o =
        run("run", dir.resolve("nope.yaml").toString(), "--out", dir.resolve("out").toString());
    assertThat(o.exitCode()).isEqualTo(2);
    assertThat(o.err()).contains("nope.yaml").contains("file not found");
    assertNoRunFolder();
  }

  @Test
  void malformedYamlNamesLineAndColumn() throws Exception {
    Path f = scenario("name: broken\nworkload:\n  phases: [\n    {rate: 5\n");
    Outcome o = run("run", f.toString(), "--out", dir.resolve("out").toString());
    assertThat(o.exitCode()).isEqualTo(2);
    assertThat(o.err()).contains("scenario.yaml").containsPattern("line \\d+, column \\d+");
    assertNoRunFolder();
  }

  @Test
  void unknownKeyNamesYamlPath() throws Exception {
    Path f =
        scenario(
            Files.readString(QuickstartFiles.quickstart())
                .replace("  warmup:", "  warmpu:")
                .replace("../", QuickstartFiles.root() + "/"));
    Outcome o = run("run", f.toString(), "--out", dir.resolve("out").toString());
    assertThat(o.exitCode()).isEqualTo(2);
    assertThat(o.err()).contains("workload.warmpu").contains("unknown key");
    assertNoRunFolder();
  }

  @Test
  void wrongTypeNamesYamlPath() throws Exception {
    Path f =
        scenario(
            Files.readString(QuickstartFiles.quickstart())
                .replaceFirst("rate: [^\\n]+", "rate: fast")
                .replace("../", QuickstartFiles.root() + "/"));
    Outcome o = run("run", f.toString(), "--out", dir.resolve("out").toString());
    assertThat(o.exitCode()).isEqualTo(2);
    assertThat(o.err()).contains("workload.phases[0].rate").contains("'fast'");
    assertNoRunFolder();
  }

  @Test
  void unknownOptionIsAUsageError() {
    Outcome o = run("run", "scenario.yaml", "--frobnicate");
    assertThat(o.exitCode()).isEqualTo(2);
    assertThat(o.err()).contains("--frobnicate");
  }
}
