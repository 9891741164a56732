package dev.kumaforge.harness.capacity;

import dev.kumaforge.common.config.ConfigException;
import dev.kumaforge.common.units.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a step must meet to count as sustained, parsed from {@code --slo "p99<250ms,errors<0.1%"}:
 * latency percentiles ({@code p50}, {@code p99}, {@code p999}, {@code max}; also {@code ttft_p99}),
 * an error rate, and always: achieved >= 99% of attempted and a generator that kept its schedule.
 *
 * @param latencyMicros upper bound per key, e.g. {@code p99 -> 250000}
 * @param maxErrorRate highest acceptable failed fraction
 */
public record CapacityCriteria(Map<String, Long> latencyMicros, double maxErrorRate) {
  private static final Pattern TERM =
      Pattern.compile("^\\s*([a-z_]*p[0-9]+|[a-z_]*max|errors)\\s*<=?\\s*([^\\s]+)\\s*$");

  /** Minimum achieved / attempted for a step to count. */
  public static final double MIN_ACHIEVED = 0.99;

  public CapacityCriteria {
    latencyMicros = Map.copyOf(latencyMicros);
  }

  /** Parses {@code p99<250ms,errors<0.1%}; errors name the term that was wrong. */
  public static CapacityCriteria parse(String text) {
    Map<String, Long> latency = new LinkedHashMap<>();
    double maxErrors = 0.001;
    List<String> problems = new ArrayList<>();
    for (String term : text.split(",")) {
      Matcher m = TERM.matcher(term.toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        problems.add(
            "'"
                + term.trim()
                + "' (expected: p99<250ms, p999<1s, max<2s, ttft_p99<500ms, errors<0.1%)");
        continue;
      }
      String key = m.group(1);
      String value = m.group(2);
      try {
        if (key.equals("errors")) {
          maxErrors = parseFraction(value);
        } else {
          Duration d = Durations.parse(value);
          latency.put(key, d.toNanos() / 1000);
        }
      } catch (IllegalArgumentException e) {
        problems.add(key + ": " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(
          "--slo",
          problems.stream().map(p -> new dev.kumaforge.common.config.ConfigError("", p)).toList());
    }
    if (latency.isEmpty()) {
      throw new ConfigException("--slo", "", "name at least one latency bound, e.g. p99<250ms");
    }
    return new CapacityCriteria(latency, maxErrors);
  }

  private static double parseFraction(String v) {
    if (v.endsWith("%")) {
      return Double.parseDouble(v.substring(0, v.length() - 1)) / 100;
    }
    double d = Double.parseDouble(v);
    if (d < 0 || d > 1) {
      throw new IllegalArgumentException("'" + v + "' (expected: a fraction 0..1 or a percentage)");
    }
    return d;
  }

  /** Why {@code step} misses these criteria, or an empty list when it meets them. */
  public List<String> misses(StepOutcome step) {
    List<String> misses = new ArrayList<>();
    if (!step.generatorValid()) {
      misses.add("generator could not keep its schedule");
    }
    if (step.attempted() > 0 && step.achievedFraction() < MIN_ACHIEVED) {
      misses.add(
          String.format(
              Locale.ROOT, "achieved %.1f%% of attempted", step.achievedFraction() * 100));
    }
    if (step.errorRate() > maxErrorRate) {
      misses.add(
          String.format(
              Locale.ROOT, "errors %.3f%% > %.3f%%", step.errorRate() * 100, maxErrorRate * 100));
    }
    latencyMicros.forEach(
        (key, bound) -> {
          Long actual = step.latencyMicros().get(key);
          if (actual == null) {
            misses.add(key + " not measured");
          } else if (actual > bound) {
            misses.add(
                key + " " + Durations.formatMicros(actual) + " > " + Durations.formatMicros(bound));
          }
        });
    return misses;
  }
}
