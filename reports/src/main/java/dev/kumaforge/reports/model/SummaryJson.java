package dev.kumaforge.reports.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kumaforge.reports.ReportException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads and writes {@code summary.json} (snake_case field names, pretty-printed). */
public final class SummaryJson {
  private SummaryJson() {}

  /** File name of the summary in a run folder. */
  public static final String FILE = "summary.json";

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  /** The summary as pretty-printed JSON text. */
  public static String write(Summary summary) {
    try {
      return MAPPER.writeValueAsString(summary) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads a summary from a {@code summary.json} file, or from the {@code summary.json} inside a run
   * folder; later schema fields it does not know are ignored.
   */
  public static Summary read(Path fileOrRunDir) {
    Path file = Files.isDirectory(fileOrRunDir) ? fileOrRunDir.resolve(FILE) : fileOrRunDir;
    if (!Files.isRegularFile(file)) {
      throw new ReportException("no summary file " + file);
    }
    try {
      Summary s = MAPPER.readValue(file.toFile(), Summary.class);
      if (s.targets() == null) {
        throw new ReportException("summary file " + file + " has no \"targets\" list");
      }
      return s;
    } catch (JsonProcessingException e) {
      throw new ReportException(
          "summary file " + file + " is not a valid summary: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ReportException("cannot read summary file " + file + ": " + e.getMessage(), e);
    }
  }
}
