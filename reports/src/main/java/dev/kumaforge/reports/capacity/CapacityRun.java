package dev.kumaforge.reports.capacity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * The content of {@code capacity.json}, written by {@code forge capacity}; the schema is in {@code
 * reports/SCHEMA.md}.
 *
 * @param schemaVersion {@code 1}
 * @param scenario scenario name
 * @param startedAt UTC ISO-8601 start
 * @param machine the machine it ran on
 * @param criteria what a step must meet to count as sustained
 * @param targets one per target, in scenario order
 */
public record CapacityRun(
    int schemaVersion,
    String scenario,
    String startedAt,
    JsonNode machine,
    Criteria criteria,
    List<Target> targets) {

  /**
   * @param latencyMicros upper bound in µs per percentile key ({@code p99}, {@code ttft_p99}...)
   * @param maxErrorRate highest acceptable failed fraction
   */
  public record Criteria(Map<String, Long> latencyMicros, double maxErrorRate) {}

  /**
   * One target's search.
   *
   * @param maxSustainedRps highest offered rate that met every criterion
   * @param firstFailedRps lowest offered rate that missed one, or null when none did
   * @param kneeRps highest sustained rate whose p99 is within twice the lowest rate's p99
   * @param neededRps the rate asked for with {@code --needed}, or null
   * @param replicasNeeded replicas to serve {@code neededRps}, or null
   * @param steps every step in the order run
   */
  public record Target(
      String name,
      String type,
      double maxSustainedRps,
      Double firstFailedRps,
      double kneeRps,
      Double neededRps,
      Integer replicasNeeded,
      List<Step> steps) {}

  /**
   * One constant-rate step.
   *
   * @param rateRps offered rate
   * @param attempted requests the schedule sent
   * @param completed requests that finished (successful or failed)
   * @param errorRate failed / completed
   * @param latencyUs {@code p50, p90, p99, p999, max} and optionally {@code ttft_p50, ttft_p99},
   *     µs; empty when no request succeeded
   * @param generatorValid whether the load generator kept its schedule
   * @param sustained whether the step met every criterion
   * @param misses why it did not, one entry per missed criterion
   */
  public record Step(
      double rateRps,
      long attempted,
      long completed,
      double errorRate,
      Map<String, Long> latencyUs,
      boolean generatorValid,
      boolean sustained,
      List<String> misses) {}
}
