package dev.kumaforge.reports.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The machine-readable result of a run ({@code summary.json}); the schema is documented in {@code
 * reports/SCHEMA.md} and foundation fields never change their names.
 */
public record Summary(
    int schemaVersion,
    String scenario,
    String startedAt,
    String forgeVersion,
    String gitCommit,
    String baseline,
    JsonNode machine,
    JsonNode workload,
    Map<String, String> metricDefinitions,
    List<String> sources,
    List<TargetSummary> targets,
    List<SloResult> slos,
    String verdict,
    String verdictReason,
    List<Ratio> ratios,
    List<Event> events,
    List<JmhBenchmark> jmh,
    List<PublishedFigure> publishedFigures) {

  /** Null lists (fields absent from an older summary.json) become empty. */
  @JsonCreator
  public Summary {
    ratios = ratios == null ? List.of() : List.copyOf(ratios);
    events = events == null ? List.of() : List.copyOf(events);
    jmh = jmh == null ? List.of() : List.copyOf(jmh);
    publishedFigures = publishedFigures == null ? List.of() : List.copyOf(publishedFigures);
  }

  /** A summary without events, JMH results or published figures. */
  public Summary(
      int schemaVersion,
      String scenario,
      String startedAt,
      String forgeVersion,
      String gitCommit,
      String baseline,
      JsonNode machine,
      JsonNode workload,
      Map<String, String> metricDefinitions,
      List<String> sources,
      List<TargetSummary> targets,
      List<SloResult> slos,
      String verdict,
      String verdictReason,
      List<Ratio> ratios) {
    this(
        schemaVersion,
        scenario,
        startedAt,
        forgeVersion,
        gitCommit,
        baseline,
        machine,
        workload,
        metricDefinitions,
        sources,
        targets,
        slos,
        verdict,
        verdictReason,
        ratios,
        null,
        null,
        null);
  }

  /** Current value of {@code schema_version}. */
  public static final int SCHEMA_VERSION = 1;

  /** Verdict: every target valid and every SLO held. */
  public static final String PASS = "pass";

  /** Verdict: the run was valid, but an SLO failed. */
  public static final String FAIL = "fail";

  /** Verdict: a trial was invalid (generator lag, missing data); its numbers are not trusted. */
  public static final String INVALID = "invalid";

  /** The target named {@code name}, if present. */
  public Optional<TargetSummary> target(String name) {
    return targets.stream().filter(t -> t.name().equals(name)).findFirst();
  }
}
