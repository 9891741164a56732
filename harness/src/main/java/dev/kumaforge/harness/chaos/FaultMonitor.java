package dev.kumaforge.harness.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.harness.chaos.internal.Counters;
import dev.kumaforge.harness.chaos.internal.PromText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads, on every {@link #sample()}, the load's counters, every mock backend's ledger ({@code GET
 * /admin/stats}) and the gateway's admin {@code /metrics}, and keeps the readings as {@link
 * FaultSample}s. A process that is down contributes nothing to that sample.
 */
public final class FaultMonitor {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  private final NanoClock clock;
  private final LoadWindow load;
  private final Map<String, String> backends;
  private final Supplier<String> gatewayAdmin;
  private final HttpClient http;
  private final AdminAccess admin;
  private final Counters counters = new Counters();
  private final List<FaultSample> samples = new ArrayList<>();
  private double unavailable;
  private double configVersion = -1;

  /**
   * @param backends provider name -> base URL (direct, not through a chaos proxy)
   * @param gatewayAdmin the gateway's admin base URL
   */
  public FaultMonitor(
      NanoClock clock,
      LoadWindow load,
      Map<String, String> backends,
      Supplier<String> gatewayAdmin,
      HttpClient http) {
    this(clock, load, backends, gatewayAdmin, http, AdminAccess.NONE);
  }

  /**
   * @param backends provider name -> base URL (direct, not through a chaos proxy)
   * @param gatewayAdmin the gateway's admin base URL
   * @param admin the credentials of the gateway's admin listener
   */
  public FaultMonitor(
      NanoClock clock,
      LoadWindow load,
      Map<String, String> backends,
      Supplier<String> gatewayAdmin,
      HttpClient http,
      AdminAccess admin) {
    this.admin = admin;
    this.clock = clock;
    this.load = load;
    this.backends = Map.copyOf(backends);
    this.gatewayAdmin = gatewayAdmin;
    this.http = http;
  }

  /** Takes one sample now. */
  public void sample() {
    for (Map.Entry<String, String> b : backends.entrySet()) {
      String body = get(b.getValue() + "/admin/stats", AdminAccess.NONE);
      if (body != null) {
        try {
          JsonNode totals = JSON.readTree(body).path("totals");
          counters.observe("backend.requests." + b.getKey(), totals.path("requests").asDouble());
          counters.observe("backend.errors." + b.getKey(), totals.path("errors").asDouble());
        } catch (IOException e) {
          // A half-written answer of a dying backend: skipped like an unreachable one.
        }
      }
    }
    String metrics = get(gatewayAdmin.get() + "/metrics", admin);
    boolean up = metrics != null;
    if (up) {
      counters.observe("gw.failures", PromText.sum(metrics, "gateway_upstream_failures_total"));
      counters.observe("gw.retries", PromText.sum(metrics, "gateway_retries_total"));
      counters.observe("gw.ejections", PromText.sum(metrics, "gateway_outlier_ejections_total"));
      counters.observe("gw.rlredis", PromText.sum(metrics, "gateway_ratelimit_redis_errors_total"));
      unavailable = PromText.sum(metrics, "gateway_backend_endpoints_unavailable");
      configVersion = PromText.sum(metrics, "gateway_config_version");
    }
    FaultSample s =
        new FaultSample(
            clock.nanoTime(),
            load.sent(),
            load.errors(),
            counters.total("backend.requests."),
            counters.total("backend.errors."),
            counters.total("gw.failures"),
            counters.total("gw.retries"),
            counters.total("gw.ejections"),
            unavailable,
            configVersion,
            up,
            counters.total("gw.rlredis"));
    synchronized (samples) {
      samples.add(s);
    }
  }

  /** The samples so far, in time order. */
  public List<FaultSample> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  private String get(String url, AdminAccess access) {
    try {
      HttpResponse<String> res =
          http.send(
              access
                  .authorize(HttpRequest.newBuilder(URI.create(url)))
                  .timeout(TIMEOUT)
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return res.statusCode() == 200 ? res.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
