package dev.kumaforge.reports.gate;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.common.config.YamlConfig;
import dev.kumaforge.reports.compare.Metric;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Thresholds of the regression gate, loaded from YAML; every value is a percentage ({@code 10%}) or
 * a fraction ({@code 0.1}). Missing keys take the defaults shown.
 *
 * <pre>{@code
 * latency:            # allowed increase of each latency percentile, relative to the baseline run
 *   p50: 10%
 *   p99: 15%
 *   p999: 25%
 * ratio:              # allowed increase of target / baseline-target latency (same run), relative
 *   p99: 10%
 * throughputDrop: 5%  # allowed decrease of throughput, relative
 * errorRateIncrease: 0.1%   # allowed increase of the error rate, absolute (0.1% = 0.001)
 * }</pre>
 */
public record GatePolicy(
    Map<String, String> latency,
    Map<String, String> ratio,
    String throughputDrop,
    String errorRateIncrease)
    implements Validatable {

  private static final Map<String, Metric> LATENCY_KEYS =
      Map.of(
          "p50",
          Metric.P50,
          "p90",
          Metric.P90,
          "p99",
          Metric.P99,
          "p999",
          Metric.P999,
          "max",
          Metric.MAX);
  private static final Map<String, Metric> RATIO_KEYS =
      Map.of("p50", Metric.RATIO_P50, "p99", Metric.RATIO_P99);

  /** The default policy (the values in the class comment). */
  public static GatePolicy defaults() {
    return new GatePolicy(null, null, null, null);
  }

  /** Loads a policy file; errors name the YAML path. */
  public static GatePolicy load(Path file) {
    return YamlConfig.load(file, GatePolicy.class);
  }

  @Override
  public void validate(Validator v) {
    if (latency != null) {
      latency.forEach(
          (k, val) -> {
            v.at("latency")
                .check(LATENCY_KEYS.containsKey(k), k, k, "one of p50, p90, p99, p999, max");
            v.at("latency")
                .check(
                    fraction(val) != null, k, val, "a percentage like 10% or a fraction like 0.1");
          });
    }
    if (ratio != null) {
      ratio.forEach(
          (k, val) -> {
            v.at("ratio").check(RATIO_KEYS.containsKey(k), k, k, "one of p50, p99");
            v.at("ratio")
                .check(
                    fraction(val) != null, k, val, "a percentage like 10% or a fraction like 0.1");
          });
    }
    if (throughputDrop != null) {
      v.check(
          fraction(throughputDrop) != null,
          "throughputDrop",
          throughputDrop,
          "a percentage like 5%");
    }
    if (errorRateIncrease != null) {
      v.check(
          fraction(errorRateIncrease) != null,
          "errorRateIncrease",
          errorRateIncrease,
          "a percentage like 0.1%");
    }
  }

  /**
   * Metric -> allowed worsening: relative for latency, ratios and throughput, absolute for the
   * error rate.
   */
  public Map<Metric, Double> thresholds() {
    Map<Metric, Double> out = new LinkedHashMap<>();
    Map<String, String> lat =
        latency != null ? latency : Map.of("p50", "10%", "p99", "15%", "p999", "25%");
    for (String k : new String[] {"p50", "p90", "p99", "p999", "max"}) {
      if (lat.containsKey(k)) {
        out.put(LATENCY_KEYS.get(k), fraction(lat.get(k)));
      }
    }
    Map<String, String> rat = ratio != null ? ratio : Map.of("p99", "10%");
    for (String k : new String[] {"p50", "p99"}) {
      if (rat.containsKey(k)) {
        out.put(RATIO_KEYS.get(k), fraction(rat.get(k)));
      }
    }
    out.put(Metric.THROUGHPUT, fraction(throughputDrop == null ? "5%" : throughputDrop));
    out.put(Metric.ERROR_RATE, fraction(errorRateIncrease == null ? "0.1%" : errorRateIncrease));
    return out;
  }

  /** {@code "10%"} -> 0.1, {@code "0.1"} -> 0.1; null when malformed or negative. */
  static Double fraction(String s) {
    if (s == null) {
      return null;
    }
    String t = s.trim().toLowerCase(Locale.ROOT);
    boolean pct = t.endsWith("%");
    try {
      double d = Double.parseDouble(pct ? t.substring(0, t.length() - 1).trim() : t);
      if (d < 0 || Double.isNaN(d) || Double.isInfinite(d)) {
        return null;
      }
      return pct ? d / 100 : d;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
