package dev.kumaforge.gateway.upstream;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.config.HostPort;
import dev.kumaforge.gateway.loadbalancer.LoadBalancer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;

/**
 * A backend at run time: its endpoints, load balancer, pool settings and the counters its circuit
 * breaker and retry budget need.
 */
public final class BackendRuntime {
  private final Backend config;
  private final Endpoint[] endpoints;
  private final LoadBalancer loadBalancer;
  private final ConnectionPoolSettings poolSettings;
  private final UpstreamTlsContext tls;
  private final AtomicInteger activeRequests = new AtomicInteger();
  private final RetrySlots retries = new RetrySlots();
  private final int[] retryStatuses;
  private final int retryMask;
  private final java.util.concurrent.atomic.AtomicReferenceArray<UpstreamQueue> queues;
  private final Backend.Transport transport;

  /**
   * Builds the runtime backend.
   *
   * @param config the backend's config
   * @param base Pekko config the pool settings fall back to
   * @param previous endpoints of the same backend before a reload, by address, reused to keep their
   *     health and load
   * @param transport the upstream transport of its endpoints' queues
   */
  public BackendRuntime(
      Backend config, Config base, Map<String, Endpoint> previous, Backend.Transport transport) {
    this.config = config;
    this.transport = transport;
    this.endpoints = new Endpoint[config.endpoints().size()];
    for (int i = 0; i < endpoints.length; i++) {
      Backend.Endpoint e = config.endpoints().get(i);
      HostPort hp = HostPort.parse(e.address());
      Endpoint old = previous.get(hp.toString());
      endpoints[i] = old != null && old.weight() == e.weight() ? old : new Endpoint(hp, e.weight());
    }
    this.loadBalancer = LoadBalancer.of(config.loadBalancer(), endpoints);
    this.poolSettings = ConnectionPoolSettings.create(poolConfig(config).withFallback(base));
    this.tls = config.tls() == null ? null : UpstreamTlsContext.of(config.tls());
    List<String> on = config.retry().retryOn();
    this.retryStatuses =
        on.stream().filter(s -> s.matches("[0-9]+")).mapToInt(Integer::parseInt).toArray();
    int mask = 0;
    for (int i = 0; i < Backend.MeshRetry.CONDITIONS.size(); i++) {
      if (on.contains(Backend.MeshRetry.CONDITIONS.get(i))) {
        mask |= 1 << i;
      }
    }
    this.retryMask = mask;
    this.queues = new java.util.concurrent.atomic.AtomicReferenceArray<>(endpoints.length);
  }

  /**
   * The request queue of endpoint {@code index}, created on first use.
   *
   * @param factory creates the queue for an endpoint
   */
  public UpstreamQueue queue(
      int index, java.util.function.Function<Endpoint, UpstreamQueue> factory) {
    UpstreamQueue q = queues.get(index);
    if (q == null) {
      synchronized (queues) {
        q = queues.get(index);
        if (q == null) {
          q = factory.apply(endpoints[index]);
          queues.set(index, q);
        }
      }
    }
    return q;
  }

  /** Replaces the closed queue {@code old} of endpoint {@code index} with a new one. */
  public UpstreamQueue replaceQueue(
      int index, UpstreamQueue old, java.util.function.Function<Endpoint, UpstreamQueue> factory) {
    synchronized (queues) {
      UpstreamQueue q = queues.get(index);
      if (q == old || q == null) {
        q = factory.apply(endpoints[index]);
        queues.set(index, q);
      }
      return q;
    }
  }

  /** Index of {@code endpoint} in {@link #endpoints()}. */
  public int indexOf(Endpoint endpoint) {
    for (int i = 0; i < endpoints.length; i++) {
      if (endpoints[i] == endpoint) {
        return i;
      }
    }
    throw new IllegalArgumentException(endpoint + " is not an endpoint of " + name());
  }

  /** Completes the request queues (after a reload retired this backend); in-flight finish. */
  public void close() {
    synchronized (queues) {
      for (int i = 0; i < queues.length(); i++) {
        UpstreamQueue q = queues.get(i);
        if (q != null) {
          q.complete();
        }
      }
    }
  }

  private static Config poolConfig(Backend b) {
    Backend.ConnectionPool p = b.connectionPool();
    Backend.MeshTimeout t = b.timeouts();
    String conf =
        "pekko.http.host-connection-pool {\n"
            + "  max-connections = "
            + p.maxConnections()
            + "\n  max-open-requests = "
            + p.maxOpenRequests()
            + "\n  max-retries = 0\n  pipelining-limit = 1\n"
            + "  keep-alive-timeout = "
            + p.keepAlive().toMillis()
            + "ms\n  idle-timeout = "
            + t.idleTimeout().toMillis()
            + "ms\n  client.connecting-timeout = "
            + t.connectionTimeout().toMillis()
            + "ms\n  client.idle-timeout = "
            + t.http().streamIdleTimeout().toMillis()
            + "ms\n}\n";
    return ConfigFactory.parseString(conf);
  }

  public String name() {
    return config.name();
  }

  public Backend config() {
    return config;
  }

  public Endpoint[] endpoints() {
    return endpoints;
  }

  /**
   * Upstream connections open or opening to this backend's endpoints, or -1 when its transport does
   * not tell (Pekko's pool).
   */
  public int openConnections() {
    if (transport != Backend.Transport.netty) {
      return -1;
    }
    int n = 0;
    for (int i = 0; i < queues.length(); i++) {
      UpstreamQueue q = queues.get(i);
      if (q != null) {
        n += Math.max(0, q.openConnections());
      }
    }
    return n;
  }

  /** The upstream transport of this backend's queues. */
  public Backend.Transport transport() {
    return transport;
  }

  public ConnectionPoolSettings poolSettings() {
    return poolSettings;
  }

  /** The client TLS context of the endpoints, or null for plain HTTP. */
  public UpstreamTlsContext tls() {
    return tls;
  }

  /** Requests in flight to this backend (circuit breaker maxRequests, retry budget). */
  public AtomicInteger activeRequests() {
    return activeRequests;
  }

  /**
   * Requests waiting for an upstream connection: per endpoint, those in flight beyond its pool's
   * {@code maxConnections} (MeshCircuitBreaker maxPendingRequests).
   */
  public int pendingRequests() {
    int max = config.connectionPool().maxConnections();
    int pending = 0;
    for (Endpoint e : endpoints) {
      pending += Math.max(0, e.active().get() - max);
    }
    return pending;
  }

  /** Retries in flight to this backend (maxRetries, retry budget). */
  public RetrySlots retries() {
    return retries;
  }

  /** An available endpoint, or null when every endpoint is ejected. */
  public Endpoint pick(HttpRequest request, long now) {
    return loadBalancer.pick(request, endpoints, now);
  }

  /** Whether another endpoint may be ejected under maxEjectionPercent. */
  public boolean ejectionAllowed(long now) {
    int ejected = 0;
    for (Endpoint e : endpoints) {
      if (e.health().isEjected(now)) {
        ejected++;
      }
    }
    int max = config.circuitBreaker().outlierDetection().maxEjectionPercent();
    return (ejected + 1) * 100 <= max * endpoints.length;
  }

  /** Whole seconds (at least 1) until the first ejected endpoint returns. */
  public long retryAfterSeconds(long now) {
    long min = Long.MAX_VALUE;
    for (Endpoint e : endpoints) {
      long r = e.health().remainingNanos(now);
      if (r > 0) {
        min = Math.min(min, r);
      }
    }
    if (min == Long.MAX_VALUE) {
      return 1;
    }
    return Math.max(1, (min + 999_999_999L) / 1_000_000_000L);
  }

  /** Whether retryOn lists the condition (one of {@link Backend.MeshRetry#CONDITIONS}). */
  public boolean retryOn(String condition) {
    int i = Backend.MeshRetry.CONDITIONS.indexOf(condition);
    return i >= 0 && (retryMask & (1 << i)) != 0;
  }

  /** Whether a response with {@code status} should be retried. */
  public boolean retryOnStatus(int status) {
    if (status >= 500 && retryOn("5XX")) {
      return true;
    }
    if ((status == 502 || status == 503 || status == 504) && retryOn("GatewayError")) {
      return true;
    }
    if (status == 409 && retryOn("Retriable4xx")) {
      return true;
    }
    for (int s : retryStatuses) {
      if (s == status) {
        return true;
      }
    }
    return false;
  }

  /** Whether a failed try of kind {@code failure} should be retried. */
  public boolean retryOnFailure(UpstreamFailure failure) {
    return switch (failure) {
      case CONNECT_ERROR, TLS_ERROR ->
          retryOn("ConnectFailure") || retryOn("5XX") || retryOn("GatewayError");
      case RESET, REFUSED_STREAM -> retryOn("Reset") || retryOn("5XX") || retryOn("GatewayError");
      case READ_TIMEOUT -> retryOn("5XX") || retryOn("GatewayError");
      default -> false;
    };
  }
}
