package dev.kumaforge.load.scenario;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Service level objectives checked against every target.
 *
 * @param latency upper bounds per percentile, keys {@code p50}, {@code p99}, {@code p999} (99.9),
 *     {@code max}...
 * @param errorRate the highest acceptable fraction of failed requests
 */
public record Slos(Map<String, Duration> latency, Fraction errorRate) implements Validatable {
  private static final Pattern PERCENTILE = Pattern.compile("^p([0-9]{2})([0-9]*)$");

  public Slos {
    latency =
        latency == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(latency));
  }

  /** No objectives. */
  public static Slos none() {
    return new Slos(null, null);
  }

  /**
   * The percentile a key names: {@code p99} -> 99.0, {@code p999} -> 99.9, {@code max} -> 100.0.
   *
   * @throws IllegalArgumentException for other keys
   */
  public static double percentileOf(String key) {
    if ("max".equals(key)) {
      return 100.0;
    }
    Matcher m = PERCENTILE.matcher(key);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + key + "' (expected: p50, p90, p99, p999, max...)");
    }
    return Double.parseDouble(m.group(1) + (m.group(2).isEmpty() ? "" : "." + m.group(2)));
  }

  @Override
  public void validate(Validator v) {
    latency.forEach(
        (k, d) -> {
          try {
            double p = percentileOf(k);
            v.check(p > 0, "latency." + k, k, "a percentile above 0");
          } catch (IllegalArgumentException e) {
            v.error("latency." + k, "unknown percentile (expected: p50, p90, p99, p999, max...)");
          }
          if (v.required(d, "latency." + k)) {
            v.check(!d.isNegative() && !d.isZero(), "latency." + k, d, "> 0");
          }
        });
  }
}
