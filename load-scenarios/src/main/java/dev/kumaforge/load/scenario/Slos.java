package dev.kumaforge.load.scenario;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Service level objectives checked against every target.
 *
 * @param latency upper bounds of the whole answer's latency per percentile, keys {@link #KEYS}
 * @param ttft upper bounds of streams' time to first token per percentile, keys {@link #KEYS}
 * @param tpot upper bounds of streams' time per output token per percentile, keys {@link #KEYS}
 * @param errorRate the highest acceptable fraction of failed requests
 */
public record Slos(
    Map<String, Duration> latency,
    Map<String, Duration> ttft,
    Map<String, Duration> tpot,
    Fraction errorRate)
    implements Validatable {
  private static final Pattern PERCENTILE = Pattern.compile("^p([0-9]{2})([0-9]*)$");

  /** The percentile keys an objective can name (the ones every report computes). */
  public static final List<String> KEYS = List.of("p50", "p90", "p99", "p999", "p9999", "max");

  public Slos {
    latency = copy(latency);
    ttft = copy(ttft);
    tpot = copy(tpot);
  }

  private static Map<String, Duration> copy(Map<String, Duration> m) {
    return m == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }

  /** No objectives. */
  public static Slos none() {
    return new Slos(null, null, null, null);
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
    check(v, "latency", latency);
    check(v, "ttft", ttft);
    check(v, "tpot", tpot);
  }

  private static void check(Validator v, String name, Map<String, Duration> bounds) {
    bounds.forEach(
        (k, d) -> {
          if (!KEYS.contains(k)) {
            v.error(name + "." + k, "unknown percentile (expected one of " + KEYS + ")");
          }
          if (v.required(d, name + "." + k)) {
            v.check(!d.isNegative() && !d.isZero(), name + "." + k, d, "> 0");
          }
        });
  }
}
