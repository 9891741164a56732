package dev.kumaforge.reports.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.reports.ReportException;
import dev.kumaforge.reports.model.JitFigures;
import dev.kumaforge.reports.model.TokenUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** The parts of a trial's {@code result.json} (written by the load engine) the reports read. */
public record TrialResult(
    Path file,
    double durationS,
    Map<String, Long> errorsByKind,
    JsonNode lagUs,
    boolean valid,
    String invalidReason,
    Double cpuUsPerRequest,
    TokenUsage usage,
    Double costUsd,
    JitFigures jit) {

  /** File name of the per-trial result. */
  public static final String FILE = "result.json";

  /** Reads {@code trialDir/result.json}; a missing or malformed file fails naming it. */
  public static TrialResult read(Path trialDir) {
    Path file = trialDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new ReportException("missing trial result " + file);
    }
    JsonNode root = Manifest.readJson(file);
    if (!root.isObject()) {
      throw new ReportException(file + ": expected a JSON object");
    }
    JsonNode validNode = root.get("valid");
    if (validNode != null && !validNode.isBoolean()) {
      throw new ReportException(file + ": \"valid\" must be true or false, was " + validNode);
    }
    boolean valid = validNode == null || validNode.asBoolean();
    Map<String, Long> byKind = new TreeMap<>();
    JsonNode kinds = root.path("errors_by_kind");
    for (Map.Entry<String, JsonNode> e : kinds.properties()) {
      if (!e.getValue().canConvertToLong()) {
        throw new ReportException(
            file + ": errors_by_kind." + e.getKey() + " must be a whole number");
      }
      byKind.put(e.getKey(), e.getValue().asLong());
    }
    String reason = Manifest.text(root, "invalid_reason");
    if (!valid && (reason == null || reason.isBlank())) {
      reason = "the load engine marked the trial invalid without a reason";
    }
    JsonNode cpu = root.path("target_process").path("cpu_us_per_request");
    TokenUsage usage = null;
    JsonNode u = root.get("usage");
    if (u != null && !u.isNull()) {
      usage =
          new TokenUsage(tokens(file, u, "prompt_tokens"), tokens(file, u, "completion_tokens"));
    }
    Double cost = null;
    JsonNode c = root.get("cost_usd");
    if (c != null && !c.isNull()) {
      if (!c.isNumber() || c.asDouble() < 0) {
        throw new ReportException(file + ": cost_usd must be a number >= 0, was " + c);
      }
      cost = c.asDouble();
    }
    return new TrialResult(
        file,
        root.path("duration_s").asDouble(0),
        byKind,
        root.path("lag_us"),
        valid,
        reason,
        cpu.isNumber() ? cpu.asDouble() : null,
        usage,
        cost,
        jit(file, root));
  }

  /** The JIT figures the harness added for a JVM target, or null when it added none. */
  private static JitFigures jit(Path file, JsonNode root) {
    JsonNode cores = root.path("target_process").get("jit_cpu_cores");
    JsonNode settle = root.get("jit_settle");
    if (cores == null && settle == null) {
      return null;
    }
    if (cores != null && (!cores.isNumber() || cores.asDouble() < 0)) {
      throw new ReportException(
          file + ": target_process.jit_cpu_cores must be a number >= 0, was " + cores);
    }
    if (settle != null && (!settle.isObject() || !settle.path("settled").isBoolean())) {
      throw new ReportException(
          file + ": jit_settle must be an object with settled true or false, was " + settle);
    }
    return new JitFigures(
        cores == null ? null : cores.asDouble(),
        settle == null ? null : settle.get("settled").asBoolean(),
        settle == null ? 0 : settle.path("rounds").asInt(0),
        settle == null ? 0 : settle.path("load_s").asDouble(0));
  }

  private static long tokens(Path file, JsonNode usage, String field) {
    JsonNode n = usage.get(field);
    if (n == null || !n.canConvertToLong() || n.asLong() < 0) {
      throw new ReportException(
          file + ": usage." + field + " must be a whole number >= 0, was " + n);
    }
    return n.asLong();
  }
}
