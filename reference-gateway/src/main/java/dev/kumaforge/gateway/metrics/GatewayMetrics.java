package dev.kumaforge.gateway.metrics;

import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.server.ListenerServer;
import dev.kumaforge.gateway.upstream.BackendRuntime;
import dev.kumaforge.gateway.upstream.Endpoint;
import dev.kumaforge.gateway.upstream.UpstreamFailure;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/** The gateway's Prometheus metrics, in a registry of its own. */
public final class GatewayMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests;
  private final Histogram latency;
  private final Counter upstreamFailures;
  private final Counter retries;
  private final Counter retriesRefused;
  private final Counter refusedStreamRetries;
  private final Counter ejections;
  private final Counter rateLimited;
  private final Counter authFailures;
  private final Counter reloads;
  private final Counter mirrored;
  private final Gauge configVersion;
  private final Gauge endpointHealthy;

  /** Route -> its latency point and request counters by status (no key string per request). */
  private final ConcurrentHashMap<String, RoutePoints> routePoints = new ConcurrentHashMap<>();

  /** Metrics without live backend gauges (for tests of single components). */
  public GatewayMetrics() {
    this(java.util.List::of, NanoClock.system());
  }

  /**
   * Metrics with gauges read from the active snapshot at scrape time: requests and retries in
   * flight per backend, endpoints ejected by outlier detection and endpoints failing health checks.
   */
  public GatewayMetrics(Supplier<Collection<BackendRuntime>> backends, NanoClock clock) {
    GaugeWithCallback.builder()
        .name("gateway_backend_requests_active")
        .help("Requests in flight per backend (circuit breaker maxRequests)")
        .labelNames("backend")
        .callback(
            cb -> {
              backends.get().forEach(b -> cb.call(b.activeRequests().get(), b.name()));
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("gateway_backend_retries_active")
        .help("Retries in flight per backend (maxRetries, retry budget)")
        .labelNames("backend")
        .callback(
            cb -> {
              backends.get().forEach(b -> cb.call(b.retries().inFlight(), b.name()));
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("gateway_upstream_connections")
        .help(
            "Upstream connections open or opening per backend and protocol (Netty transport:"
                + " one per request in flight with http1, a few multiplexed ones with h2c)")
        .labelNames("backend", "protocol")
        .callback(
            cb -> {
              for (BackendRuntime b : backends.get()) {
                int n = b.openConnections();
                if (n >= 0) {
                  cb.call(n, b.name(), b.config().protocol().name());
                }
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("gateway_backend_endpoints_unavailable")
        .help("Endpoints out of balancing per backend (ejected or failing health checks)")
        .labelNames("backend")
        .callback(
            cb -> {
              long now = clock.nanoTime();
              for (BackendRuntime b : backends.get()) {
                int n = 0;
                for (Endpoint e : b.endpoints()) {
                  if (!e.health().available(now)) {
                    n++;
                  }
                }
                cb.call(n, b.name());
              }
            })
        .register(registry);
    requests =
        Counter.builder()
            .name("gateway_requests_total")
            .help("Requests answered, by route and status")
            .labelNames("route", "status")
            .register(registry);
    latency =
        Histogram.builder()
            .name("gateway_request_duration_seconds")
            .help("Time from request received to response headers sent, by route")
            .labelNames("route")
            .classicOnly()
            .classicUpperBounds(
                0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
            .register(registry);
    upstreamFailures =
        Counter.builder()
            .name("gateway_upstream_failures_total")
            .help("Upstream failures by backend and kind (the UpstreamFailure label)")
            .labelNames("backend", "kind")
            .register(registry);
    retries =
        Counter.builder()
            .name("gateway_retries_total")
            .help("Retries sent, by backend")
            .labelNames("backend")
            .register(registry);
    retriesRefused =
        Counter.builder()
            .name("gateway_retries_refused_total")
            .help("Retries not sent because the retry budget or maxRetries was exhausted")
            .labelNames("backend")
            .register(registry);
    refusedStreamRetries =
        Counter.builder()
            .name("gateway_refused_stream_retries_total")
            .help(
                "Requests sent again because an HTTP/2 upstream refused their stream unprocessed"
                    + " (REFUSED_STREAM, above a GOAWAY's last-stream-id), by backend")
            .labelNames("backend")
            .register(registry);
    ejections =
        Counter.builder()
            .name("gateway_outlier_ejections_total")
            .help("Endpoint ejections by outlier detection")
            .labelNames("backend", "endpoint")
            .register(registry);
    rateLimited =
        Counter.builder()
            .name("gateway_rate_limited_total")
            .help("Requests refused by a local rate limit, by route")
            .labelNames("route")
            .register(registry);
    authFailures =
        Counter.builder()
            .name("gateway_auth_failures_total")
            .help("Requests refused by authentication (401), by route and reason")
            .labelNames("route", "reason")
            .register(registry);
    mirrored =
        Counter.builder()
            .name("gateway_mirrored_requests_total")
            .help("Mirrored request copies by mirror backend and result (ok, failed)")
            .labelNames("backend", "result")
            .register(registry);
    reloads =
        Counter.builder()
            .name("gateway_config_reloads_total")
            .help("Config reloads by result (success, rejected)")
            .labelNames("result")
            .register(registry);
    endpointHealthy =
        Gauge.builder()
            .name("gateway_endpoint_healthy")
            .help("1 when active health checks pass for the endpoint, 0 when they fail")
            .labelNames("backend", "endpoint")
            .register(registry);
    configVersion =
        Gauge.builder()
            .name("gateway_config_version")
            .help("Version of the active config snapshot (1 at start, +1 per reload)")
            .register(registry);
  }

  /**
   * Registers the listeners' connection and TLS counters, read from {@code listeners} at scrape
   * time: connections refused over {@code maxConnections}, connections closed at the header
   * deadline, requests refused by the byte-level checks and TLS file reloads.
   */
  public void listeners(Supplier<Collection<ListenerServer>> listeners) {
    CounterWithCallback.builder()
        .name("gateway_connections_refused_total")
        .help("Connections closed at accept because listeners.<name>.maxConnections were open")
        .labelNames("listener")
        .callback(cb -> listeners.get().forEach(l -> cb.call(l.refusedConnections(), l.name())))
        .register(registry);
    CounterWithCallback.builder()
        .name("gateway_header_timeouts_total")
        .help("Connections closed because request headers missed listeners.<name>.headerTimeout")
        .labelNames("listener")
        .callback(cb -> listeners.get().forEach(l -> cb.call(l.headerTimeouts(), l.name())))
        .register(registry);
    CounterWithCallback.builder()
        .name("gateway_requests_refused_by_scan_total")
        .help(
            "Requests refused by the byte-level checks below the HTTP parser, by listener and"
                + " check (bare_lf, te_http10, credential_too_large)")
        .labelNames("listener", "check")
        .callback(
            cb ->
                listeners
                    .get()
                    .forEach(
                        l -> l.scanRefusals().forEach((check, n) -> cb.call(n, l.name(), check))))
        .register(registry);
    CounterWithCallback.builder()
        .name("gateway_tls_reloads_total")
        .help("TLS certificate file reloads by listener and result (success, failure)")
        .labelNames("listener", "result")
        .callback(
            cb ->
                listeners.get().stream()
                    .filter(l -> l.tls() != null)
                    .forEach(
                        l -> {
                          cb.call(l.tlsReloads(), l.name(), "success");
                          cb.call(l.tlsReloadFailures(), l.name(), "failure");
                        }))
        .register(registry);
  }

  /** Counts a response and its latency. */
  public void request(String route, int status, long nanos) {
    RoutePoints points = routePoints.get(route);
    if (points == null) {
      points = routePoints.computeIfAbsent(route, r -> new RoutePoints(latency.labelValues(r)));
    }
    points.requests(requests, route, status).inc();
    points.latency.observe(nanos / 1e9);
  }

  /** One route's data points; the status counters are looked up once per status code. */
  private static final class RoutePoints {
    private static final int STATUSES = 600;
    private final DistributionDataPoint latency;
    private final AtomicReferenceArray<CounterDataPoint> byStatus =
        new AtomicReferenceArray<>(STATUSES);

    RoutePoints(DistributionDataPoint latency) {
      this.latency = latency;
    }

    CounterDataPoint requests(Counter requests, String route, int status) {
      if (status < 0 || status >= STATUSES) {
        return requests.labelValues(route, status(status));
      }
      CounterDataPoint p = byStatus.get(status);
      if (p == null) {
        // the registry returns the same point for the same labels, so a race only looks it up twice
        p = requests.labelValues(route, status(status));
        byStatus.set(status, p);
      }
      return p;
    }
  }

  private static String status(int status) {
    return Integer.toString(status);
  }

  public void upstreamFailure(String backend, String kind) {
    upstreamFailures.labelValues(backend, kind).inc();
  }

  public void retry(String backend) {
    retries.labelValues(backend).inc();
  }

  public void retryRefused(String backend) {
    retriesRefused.labelValues(backend).inc();
  }

  /**
   * Counts a transparent retry of a request whose HTTP/2 stream the upstream refused, and the
   * refused try as an upstream failure of that kind.
   */
  public void refusedRetry(String backend) {
    upstreamFailure(backend, UpstreamFailure.REFUSED_STREAM.label());
    refusedStreamRetries.labelValues(backend).inc();
  }

  public void ejection(String backend, String endpoint) {
    ejections.labelValues(backend, endpoint).inc();
  }

  public void rateLimited(String route) {
    rateLimited.labelValues(route).inc();
  }

  /** Counts a 401; {@code reason} is an {@code AuthFailure} label, never a credential. */
  public void authFailure(String route, String reason) {
    authFailures.labelValues(route, reason).inc();
  }

  /** Counts a mirrored copy. */
  public void mirrored(String backend, boolean ok) {
    mirrored.labelValues(backend, ok ? "ok" : "failed").inc();
  }

  /** Counts a reload; {@code result} is success or rejected. */
  public void reload(String result) {
    reloads.labelValues(result).inc();
  }

  /** Records an active health check state change. */
  public void healthChange(String backend, String endpoint, boolean healthy) {
    endpointHealthy.labelValues(backend, endpoint).set(healthy ? 1 : 0);
  }

  public void configVersion(long version) {
    configVersion.set(version);
  }

  /** The registry, for metrics of other gateway parts. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every metric. */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }
}
