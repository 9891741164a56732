package dev.kumaforge.chaos.experiment.runner;

import dev.kumaforge.chaos.experiment.Probe;
import dev.kumaforge.chaos.experiment.ProbeType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The built-in probes that speak HTTP: {@code http} (status of a GET) and {@code metric} (one
 * sample of a Prometheus text endpoint, matched by name and exact label text).
 */
public final class HttpProbes {
  private final HttpClient http;
  private final Duration timeout;

  /** Probes using {@code http}; each request times out after {@code timeout}. */
  public HttpProbes(HttpClient http, Duration timeout) {
    this.http = http;
    this.timeout = timeout;
  }

  /** The evaluators by probe type. */
  public Map<ProbeType, ProbeEvaluator> evaluators() {
    Map<ProbeType, ProbeEvaluator> m = new EnumMap<>(ProbeType.class);
    m.put(ProbeType.HTTP, this::status);
    m.put(ProbeType.METRIC, this::metric);
    return m;
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private ProbeEvaluator.ProbeResult status(Probe p) throws InterruptedException {
    try {
      int status = get(p.url()).statusCode();
      return new ProbeEvaluator.ProbeResult(
          status == p.status(), status, "status " + status + " (expected " + p.status() + ")");
    } catch (IOException e) {
      return new ProbeEvaluator.ProbeResult(false, Double.NaN, "GET " + p.url() + " failed: " + e);
    }
  }

  private ProbeEvaluator.ProbeResult metric(Probe p) throws InterruptedException {
    String text;
    try {
      text = get(p.url()).body();
    } catch (IOException e) {
      return new ProbeEvaluator.ProbeResult(false, Double.NaN, "GET " + p.url() + " failed: " + e);
    }
    Double value = sample(text, p.metric());
    if (value == null) {
      return new ProbeEvaluator.ProbeResult(false, Double.NaN, "no sample " + p.metric());
    }
    return check(value, p.min(), p.max(), p.metric());
  }

  /** The value of the sample whose name and labels are exactly {@code metric}, or null. */
  static Double sample(String text, String metric) {
    for (String line : text.split("\n")) {
      if (line.startsWith("#")) {
        continue;
      }
      int sp = line.lastIndexOf(' ');
      if (sp > 0 && line.substring(0, sp).strip().equals(metric)) {
        try {
          return Double.parseDouble(line.substring(sp + 1).strip());
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return null;
  }

  /** Checks {@code value} against optional bounds. */
  public static ProbeEvaluator.ProbeResult check(
      double value, Double min, Double max, String what) {
    boolean ok = (min == null || value >= min) && (max == null || value <= max);
    String bounds =
        (min == null ? "" : ">= " + min)
            + (min != null && max != null ? " and " : "")
            + (max == null ? "" : "<= " + max);
    return new ProbeEvaluator.ProbeResult(
        ok, value, what + " = " + value + " (expected " + bounds + ")");
  }
}
