package dev.kumaforge.reports.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.reports.ReportException;
import dev.kumaforge.reports.model.Event;
import dev.kumaforge.reports.model.JmhBenchmark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Optional files of a run folder: {@code events.jsonl} (fault windows and phase boundaries) and
 * {@code jmh.json} (a JMH {@code -rf json} result). When several folders are merged, the first
 * folder holding the file is read.
 */
public final class RunExtras {
  private RunExtras() {}

  /** File name of the events of a run. */
  public static final String EVENTS = "events.jsonl";

  /** File name of an included JMH result. */
  public static final String JMH = "jmh.json";

  private static final Set<String> TYPES = Set.of(Event.FAULT_START, Event.FAULT_END, Event.PHASE);

  /** The events of the first folder that has {@code events.jsonl}, ordered by time; else empty. */
  public static List<Event> events(List<Path> runDirs) {
    for (Path dir : runDirs) {
      Path file = dir.resolve(EVENTS);
      if (Files.isRegularFile(file)) {
        return readEvents(file);
      }
    }
    return List.of();
  }

  /** Reads an {@code events.jsonl} file; a bad line fails naming the file, line and field. */
  public static List<Event> readEvents(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new ReportException("cannot read " + file + ": " + e.getMessage(), e);
    }
    List<Event> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      String where = file + " line " + (i + 1);
      JsonNode n;
      try {
        n = Manifest.MAPPER.readTree(line);
      } catch (IOException e) {
        throw new ReportException(where + ": not a JSON object: " + e.getMessage(), e);
      }
      if (n == null || !n.isObject()) {
        throw new ReportException(where + ": expected a JSON object");
      }
      JsonNode t = n.get("t_ms");
      if (t == null || !t.canConvertToLong() || t.asLong() < 0) {
        throw new ReportException(where + ": t_ms must be a whole number >= 0, was " + t);
      }
      String type = n.path("type").asText("");
      if (!TYPES.contains(type)) {
        throw new ReportException(
            where + ": type must be fault_start, fault_end or phase, was \"" + type + "\"");
      }
      String name = n.path("name").asText("");
      if (name.isBlank()) {
        throw new ReportException(where + ": name is missing");
      }
      out.add(new Event(t.asLong(), type, name));
    }
    out.sort(Comparator.comparingLong(Event::tMs));
    return List.copyOf(out);
  }

  /** The benchmarks of the first folder that has {@code jmh.json}; else empty. */
  public static List<JmhBenchmark> jmh(List<Path> runDirs) {
    for (Path dir : runDirs) {
      Path file = dir.resolve(JMH);
      if (Files.isRegularFile(file)) {
        return readJmh(file);
      }
    }
    return List.of();
  }

  /** Reads a JMH JSON result ({@code -rf json}); problems name the file and the entry. */
  public static List<JmhBenchmark> readJmh(Path file) {
    JsonNode root = Manifest.readJson(file);
    if (!root.isArray()) {
      throw new ReportException(file + ": expected a JMH JSON result (a list of benchmarks)");
    }
    List<JmhBenchmark> out = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode b = root.get(i);
      String where = file + " [" + i + "]";
      String name = b.path("benchmark").asText("");
      if (name.isBlank()) {
        throw new ReportException(where + ": benchmark is missing");
      }
      JsonNode pm = b.path("primaryMetric");
      JsonNode score = pm.get("score");
      if (score == null || !(score.isNumber() || isNumeric(score.asText()))) {
        throw new ReportException(where + ": primaryMetric.score must be a number, was " + score);
      }
      JsonNode params = b.path("params");
      if (params.isObject() && !params.isEmpty()) {
        StringJoiner j = new StringJoiner(",", "[", "]");
        for (Map.Entry<String, JsonNode> p : params.properties()) {
          j.add(p.getKey() + "=" + p.getValue().asText());
        }
        name = name + j;
      }
      out.add(
          new JmhBenchmark(
              name,
              b.path("mode").asText("?"),
              b.path("threads").asInt(1),
              b.path("forks").asInt(0),
              number(score),
              number(pm.path("scoreError")),
              pm.path("scoreUnit").asText("")));
    }
    return List.copyOf(out);
  }

  /** JMH writes {@code "NaN"} as a string when a score has no error. */
  private static double number(JsonNode n) {
    if (n.isNumber()) {
      return n.asDouble();
    }
    return isNumeric(n.asText()) ? Double.parseDouble(n.asText()) : Double.NaN;
  }

  private static boolean isNumeric(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
