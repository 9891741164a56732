package dev.kumaforge.reports.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kumaforge.reports.ReportException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The parts of {@code manifest.json} the reports read. */
public record Manifest(
    Path file,
    String scenario,
    String startedAt,
    String forgeVersion,
    String gitCommit,
    JsonNode machine,
    String baseline,
    List<TargetRef> targets,
    int trials,
    JsonNode workload,
    JsonNode slos) {

  /** File name of the manifest in a run folder. */
  public static final String FILE = "manifest.json";

  /** One target of the run: its name and type (direct, reference, nginx, ...). */
  public record TargetRef(String name, String type) {}

  static final ObjectMapper MAPPER = new ObjectMapper();

  /** Reads the manifest of {@code runDir}; every problem names the file and the field. */
  public static Manifest read(Path runDir) {
    Path file = runDir.resolve(FILE);
    if (!Files.isDirectory(runDir)) {
      throw new ReportException("run folder " + runDir + " does not exist");
    }
    if (!Files.isRegularFile(file)) {
      throw new ReportException(
          "run folder " + runDir + " has no " + FILE + " (missing " + file + ")");
    }
    JsonNode root = readJson(file);
    if (!root.isObject()) {
      throw new ReportException(file + ": expected a JSON object");
    }
    String scenario = text(root, "scenario");
    if (scenario == null) {
      throw new ReportException(file + ": missing required field \"scenario\"");
    }
    JsonNode targetsNode = root.path("targets");
    if (!targetsNode.isArray() || targetsNode.isEmpty()) {
      throw new ReportException(file + ": \"targets\" must be a non-empty list");
    }
    List<TargetRef> targets = new ArrayList<>();
    for (int i = 0; i < targetsNode.size(); i++) {
      JsonNode t = targetsNode.get(i);
      String name = text(t, "name");
      if (name == null || name.isBlank()) {
        throw new ReportException(file + ": missing required field \"name\" at targets[" + i + "]");
      }
      String type = text(t, "type");
      targets.add(new TargetRef(name, type == null ? "external" : type));
    }
    String named = text(root, "baseline");
    if (named != null && targets.stream().noneMatch(t -> t.name().equals(named))) {
      throw new ReportException(
          file + ": \"baseline\" names target \"" + named + "\", which is not in \"targets\"");
    }
    String baseline = named;
    if (baseline == null) {
      baseline =
          targets.stream()
              .filter(t -> "direct".equals(t.type()))
              .map(TargetRef::name)
              .findFirst()
              .orElse(null);
    }
    int trials = root.path("trials").asInt(1);
    if (trials < 1) {
      throw new ReportException(file + ": \"trials\" must be >= 1, was " + trials);
    }
    return new Manifest(
        file,
        scenario,
        text(root, "started_at"),
        text(root, "forge_version"),
        text(root, "git_commit"),
        root.path("machine").isObject() ? root.get("machine") : MAPPER.createObjectNode(),
        baseline,
        List.copyOf(targets),
        trials,
        root.path("workload").isObject() ? root.get("workload") : MAPPER.createObjectNode(),
        root.path("slos").isObject() ? root.get("slos") : MAPPER.createObjectNode());
  }

  /** Parses a JSON file, or fails with an error naming it. */
  static JsonNode readJson(Path file) {
    try {
      return MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new ReportException(file + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
