package dev.kumaforge.reports.capacity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.reports.ReportException;
import dev.kumaforge.reports.capacity.CapacityRun.Step;
import dev.kumaforge.reports.capacity.CapacityRun.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns a {@code forge capacity} folder's {@code capacity.json} into {@code capacity.md} and a
 * self-contained {@code capacity.html} with the capacity curve, each written atomically.
 *
 * <pre>{@code
 * CapacityRun run = CapacityReport.generate(capacityDir);  // reads capacity.json, writes md + html
 * }</pre>
 */
public final class CapacityReport {
  private CapacityReport() {}

  /** Input file name. */
  public static final String JSON = "capacity.json";

  /** Markdown report file name. */
  public static final String MARKDOWN = "capacity.md";

  /** HTML report file name. */
  public static final String HTML = "capacity.html";

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  /** Reads {@code dir/capacity.json} and writes {@code capacity.md} and {@code capacity.html}. */
  public static CapacityRun generate(Path dir) {
    CapacityRun run = read(dir.resolve(JSON));
    String md = CapacityMarkdown.render(run);
    String html = CapacityHtml.render(run);
    AtomicFiles.writeString(dir.resolve(MARKDOWN), md);
    AtomicFiles.writeString(dir.resolve(HTML), html);
    return run;
  }

  /** Reads and checks a {@code capacity.json}; every problem names the file and the field. */
  public static CapacityRun read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ReportException("no capacity file " + file);
    }
    CapacityRun run;
    try {
      run = MAPPER.readValue(file.toFile(), CapacityRun.class);
    } catch (JsonProcessingException e) {
      throw new ReportException(file + ": not a valid capacity.json: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ReportException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (run == null) {
      throw new ReportException(file + ": empty");
    }
    require(file, run.schemaVersion() == 1, "schema_version must be 1");
    require(file, run.scenario() != null, "scenario is missing");
    require(file, run.criteria() != null, "criteria is missing");
    require(file, run.targets() != null, "targets is missing");
    for (int i = 0; i < run.targets().size(); i++) {
      Target t = run.targets().get(i);
      String at = "targets[" + i + "]";
      require(file, t.name() != null, at + ".name is missing");
      require(file, t.steps() != null, at + ".steps is missing");
      for (int j = 0; j < t.steps().size(); j++) {
        Step s = t.steps().get(j);
        require(file, s.rateRps() > 0, at + ".steps[" + j + "].rate_rps must be > 0");
      }
    }
    return run;
  }

  private static void require(Path file, boolean ok, String message) {
    if (!ok) {
      throw new ReportException(file + ": " + message);
    }
  }

  /** The steps of {@code t} ordered by offered rate (the search visits rates out of order). */
  static List<Step> byRate(Target t) {
    return t.steps().stream().sorted(java.util.Comparator.comparingDouble(Step::rateRps)).toList();
  }
}
