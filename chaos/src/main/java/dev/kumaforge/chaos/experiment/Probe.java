package dev.kumaforge.chaos.experiment;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.time.Duration;

/**
 * A steady-state probe with its tolerance.
 *
 * @param name unique name, required
 * @param type what it measures, required
 * @param window the load window an error-rate or latency probe looks at (default 5s)
 * @param percentile latency percentile, 0 to 100 exclusive (default 99)
 * @param maxLatency latency tolerance (required for latency)
 * @param url URL of an http or metric probe (required for those)
 * @param status expected HTTP status of an http probe (default 200)
 * @param metric sample name with optional labels of a metric probe, e.g. {@code up{job="gw"}}
 * @param min lowest tolerated value (error-rate, metric)
 * @param max highest tolerated value (error-rate: a ratio 0 to 1; metric)
 * @param during whether the probe must also hold while faults are active (default false: it is then
 *     only recorded, to measure onset and recovery)
 */
public record Probe(
    String name,
    ProbeType type,
    Duration window,
    Double percentile,
    Duration maxLatency,
    String url,
    Integer status,
    String metric,
    Double min,
    Double max,
    Boolean during)
    implements Validatable {

  /** Applies defaults. */
  public Probe {
    window = window == null ? Duration.ofSeconds(5) : window;
    percentile = percentile == null ? 99.0 : percentile;
    status = status == null ? 200 : status;
    during = during != null && during;
  }

  @Override
  public void validate(Validator v) {
    v.required(name, "name");
    if (!v.required(type, "type")) {
      return;
    }
    v.check(!window.isNegative() && !window.isZero(), "window", window, "> 0");
    switch (type) {
      case ERROR_RATE -> {
        v.check(min != null || max != null, "max", null, "a tolerance: min and/or max");
        if (max != null) {
          v.check(max >= 0 && max <= 1, "max", max, "a ratio 0 to 1");
        }
      }
      case LATENCY -> {
        v.check(percentile > 0 && percentile < 100, "percentile", percentile, "0 < p < 100");
        v.required(maxLatency, "maxLatency");
      }
      case HTTP -> {
        checkUrl(v);
        v.check(status >= 100 && status <= 599, "status", status, "100 to 599");
      }
      case METRIC -> {
        checkUrl(v);
        v.required(metric, "metric");
        v.check(min != null || max != null, "max", null, "a tolerance: min and/or max");
      }
    }
  }

  private void checkUrl(Validator v) {
    if (v.required(url, "url")) {
      v.check(
          url.startsWith("http://") || url.startsWith("https://"),
          "url",
          "'" + url + "'",
          "an http:// or https:// URL");
    }
  }
}
