package dev.kumaforge.gateway.config;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.time.Duration;
import java.util.List;

/**
 * An upstream backend: endpoints, load balancer, connection pool and its Kuma policies.
 *
 * @param name unique name that routes refer to
 * @param endpoints one or more endpoints
 * @param loadBalancer endpoint selection (MeshLoadBalancingStrategy), default RoundRobin
 * @param connectionPool upstream connection pool
 * @param timeouts MeshTimeout
 * @param retry MeshRetry
 * @param circuitBreaker MeshCircuitBreaker
 * @param healthCheck MeshHealthCheck (active checks), optional
 * @param tls TLS (and mTLS) to the endpoints, optional: plain HTTP when absent
 * @param protocol the HTTP version spoken to the endpoints: http1 (default), h2c (HTTP/2 over plain
 *     TCP with prior knowledge, many requests multiplexed on few connections; Netty transport only,
 *     no tls) or h2 (the same over TLS with ALPN h2; tls required)
 */
public record Backend(
    String name,
    List<Endpoint> endpoints,
    LoadBalancer loadBalancer,
    ConnectionPool connectionPool,
    MeshTimeout timeouts,
    MeshRetry retry,
    MeshCircuitBreaker circuitBreaker,
    MeshHealthCheck healthCheck,
    UpstreamTls tls,
    Protocol protocol)
    implements Validatable {

  /** The HTTP version spoken to a backend's endpoints (Kuma's {@code appProtocol}). */
  public enum Protocol {
    /** HTTP/1.1, one request at a time per connection. */
    http1,
    /** HTTP/2 over plain TCP with prior knowledge; requests are streams of a few connections. */
    h2c,
    /** HTTP/2 over TLS ({@code tls} required), negotiated by ALPN; as h2c otherwise. */
    h2
  }

  public Backend {
    endpoints = GatewayConfig.immutable(endpoints);
    loadBalancer = loadBalancer == null ? new LoadBalancer(null, null, null) : loadBalancer;
    connectionPool =
        connectionPool == null ? new ConnectionPool(null, null, null, null, null) : connectionPool;
    protocol = protocol == null ? Protocol.http1 : protocol;
    timeouts = timeouts == null ? new MeshTimeout(null, null, null) : timeouts;
    retry = retry == null ? new MeshRetry(null, null, null, null, null, null) : retry;
    circuitBreaker = circuitBreaker == null ? new MeshCircuitBreaker(null, null) : circuitBreaker;
  }

  @Override
  public void validate(Validator v) {
    v.required(name, "name");
    if (v.check(!endpoints.isEmpty(), "endpoints", "[]", "at least one endpoint")) {
      v.each("endpoints", endpoints, (ev, e) -> e.validate(ev));
    }
    loadBalancer.validate(v.at("loadBalancer"));
    connectionPool.validate(v.at("connectionPool"));
    timeouts.validate(v.at("timeouts"));
    retry.validate(v.at("retry"));
    circuitBreaker.validate(v.at("circuitBreaker"));
    if (healthCheck != null) {
      healthCheck.validate(v.at("healthCheck"));
    }
    if (tls != null) {
      tls.validate(v.at("tls"));
    }
  }

  /**
   * MeshHealthCheck: every {@code interval} each endpoint gets {@code GET http.path}; {@code
   * unhealthyThreshold} failures in a row take it out of load balancing, {@code healthyThreshold}
   * successes in a row bring it back.
   *
   * @param interval time between checks, default 10s
   * @param timeout time for one check, default 2s
   * @param unhealthyThreshold failed checks in a row that mark an endpoint unhealthy, default 3
   * @param healthyThreshold passed checks in a row that mark it healthy again, default 1
   * @param http the HTTP check
   */
  public record MeshHealthCheck(
      Duration interval,
      Duration timeout,
      Integer unhealthyThreshold,
      Integer healthyThreshold,
      HttpCheck http) {
    public MeshHealthCheck {
      interval = interval == null ? Duration.ofSeconds(10) : interval;
      timeout = timeout == null ? Duration.ofSeconds(2) : timeout;
      unhealthyThreshold = unhealthyThreshold == null ? 3 : unhealthyThreshold;
      healthyThreshold = healthyThreshold == null ? 1 : healthyThreshold;
      http = http == null ? new HttpCheck(null, null) : http;
    }

    void validate(Validator v) {
      GatewayConfig.positive(v, interval, "interval");
      GatewayConfig.positive(v, timeout, "timeout");
      v.check(unhealthyThreshold >= 1, "unhealthyThreshold", unhealthyThreshold, ">= 1");
      v.check(healthyThreshold >= 1, "healthyThreshold", healthyThreshold, ">= 1");
      v.check(http.path().startsWith("/"), "http.path", "'" + http.path() + "'", "/...");
      v.each(
          "http.expectedStatuses",
          http.expectedStatuses(),
          (sv, s) -> sv.check(s >= 100 && s <= 599, "", s, "an HTTP status 100 to 599"));
    }
  }

  /**
   * The HTTP part of MeshHealthCheck.
   *
   * @param path request path, default /
   * @param expectedStatuses statuses that pass, default [200]
   */
  public record HttpCheck(String path, List<Integer> expectedStatuses) {
    public HttpCheck {
      path = path == null ? "/" : path;
      expectedStatuses =
          expectedStatuses == null ? List.of(200) : GatewayConfig.immutable(expectedStatuses);
    }
  }

  /**
   * One endpoint of a backend.
   *
   * @param address {@code host:port}
   * @param weight relative weight for load balancing, default 1
   */
  public record Endpoint(String address, Integer weight) implements Validatable {
    public Endpoint {
      weight = weight == null ? 1 : weight;
    }

    @Override
    public void validate(Validator v) {
      if (v.required(address, "address")) {
        v.check(HostPort.isValid(address), "address", "'" + address + "'", HostPort.EXPECTED);
      }
      v.check(weight >= 1, "weight", weight, ">= 1");
    }
  }

  /** Load balancer kinds, named as in Kuma's MeshLoadBalancingStrategy. */
  public enum LbType {
    RoundRobin,
    LeastRequest,
    Random,
    RingHash
  }

  /**
   * Endpoint selection.
   *
   * @param type RoundRobin (default), LeastRequest, Random or RingHash
   * @param leastRequest LeastRequest settings
   * @param ringHash RingHash settings
   */
  public record LoadBalancer(LbType type, LeastRequest leastRequest, RingHash ringHash) {
    public LoadBalancer {
      type = type == null ? LbType.RoundRobin : type;
      leastRequest = leastRequest == null ? new LeastRequest(null) : leastRequest;
    }

    void validate(Validator v) {
      v.check(
          leastRequest.choiceCount() >= 2,
          "leastRequest.choiceCount",
          leastRequest.choiceCount(),
          ">= 2");
      if (type == LbType.RingHash && v.required(ringHash, "ringHash")) {
        ringHash.validate(v.at("ringHash"));
      }
    }
  }

  /**
   * LeastRequest settings.
   *
   * @param choiceCount endpoints sampled per pick, default 2 (power of two choices)
   */
  public record LeastRequest(Integer choiceCount) {
    public LeastRequest {
      choiceCount = choiceCount == null ? 2 : choiceCount;
    }
  }

  /** What a ring hash hashes. */
  public enum HashType {
    Header,
    Cookie
  }

  /**
   * RingHash settings: session affinity on a header or a cookie.
   *
   * @param hashPolicies the first policy whose value is present decides; none present: random
   */
  public record RingHash(List<HashPolicy> hashPolicies) {
    public RingHash {
      hashPolicies = GatewayConfig.immutable(hashPolicies);
    }

    void validate(Validator v) {
      if (v.check(!hashPolicies.isEmpty(), "hashPolicies", "[]", "at least one hash policy")) {
        v.each(
            "hashPolicies",
            hashPolicies,
            (hv, h) -> {
              hv.required(h.type(), "type");
              if (h.type() == HashType.Header && hv.required(h.header(), "header")) {
                hv.required(h.header().name(), "header.name");
              }
              if (h.type() == HashType.Cookie && hv.required(h.cookie(), "cookie")) {
                hv.required(h.cookie().name(), "cookie.name");
              }
            });
      }
    }
  }

  /**
   * One hash policy.
   *
   * @param type Header or Cookie
   * @param header the header, for type Header
   * @param cookie the cookie, for type Cookie
   */
  public record HashPolicy(HashType type, Named header, Named cookie) {}

  /**
   * A name.
   *
   * @param name the header or cookie name
   */
  public record Named(String name) {}

  /** Upstream transport: Pekko's host connection pool or the gateway's own Netty client. */
  public enum Transport {
    /** Pekko HTTP's host connection pool. */
    pekko,
    /**
     * The Netty client of {@code dev.kumaforge.gateway.upstream.netty} on the shared event loops.
     */
    netty
  }

  /**
   * Upstream connection pool (one per endpoint).
   *
   * @param maxConnections connections per endpoint, default 256
   * @param maxOpenRequests requests queued or in flight per endpoint before POOL_OVERFLOW, a power
   *     of two, default 4096
   * @param keepAlive how long an idle upstream connection is kept, default 30s
   * @param transport pekko or netty; default: {@code upstream.transport}
   * @param maxConcurrentStreams with {@code protocol: h2c}: requests in flight per connection (the
   *     peer's SETTINGS_MAX_CONCURRENT_STREAMS also caps it), default 1000
   */
  public record ConnectionPool(
      Integer maxConnections,
      Integer maxOpenRequests,
      Duration keepAlive,
      Transport transport,
      Integer maxConcurrentStreams) {
    public ConnectionPool {
      maxConnections = maxConnections == null ? 256 : maxConnections;
      maxConcurrentStreams = maxConcurrentStreams == null ? 1000 : maxConcurrentStreams;
      maxOpenRequests = maxOpenRequests == null ? 4096 : maxOpenRequests;
      keepAlive = keepAlive == null ? Duration.ofSeconds(30) : keepAlive;
    }

    void validate(Validator v) {
      v.check(maxConnections >= 1, "maxConnections", maxConnections, ">= 1");
      v.check(
          maxOpenRequests >= 1 && Integer.bitCount(maxOpenRequests) == 1,
          "maxOpenRequests",
          maxOpenRequests,
          "a power of two >= 1");
      GatewayConfig.positive(v, keepAlive, "keepAlive");
      v.check(
          maxConcurrentStreams >= 1 && maxConcurrentStreams <= 1_000_000,
          "maxConcurrentStreams",
          maxConcurrentStreams,
          "1 to 1000000");
    }
  }

  /**
   * MeshTimeout for this backend.
   *
   * @param connectionTimeout TCP connect timeout, default 5s
   * @param idleTimeout idle upstream connection timeout, default 1h
   * @param http HTTP timeouts
   */
  public record MeshTimeout(Duration connectionTimeout, Duration idleTimeout, HttpTimeouts http) {
    public MeshTimeout {
      connectionTimeout = connectionTimeout == null ? Duration.ofSeconds(5) : connectionTimeout;
      idleTimeout = idleTimeout == null ? Duration.ofHours(1) : idleTimeout;
      http = http == null ? new HttpTimeouts(null, null) : http;
    }

    void validate(Validator v) {
      GatewayConfig.positive(v, connectionTimeout, "connectionTimeout");
      GatewayConfig.positive(v, idleTimeout, "idleTimeout");
      GatewayConfig.positive(v, http.requestTimeout(), "http.requestTimeout");
      GatewayConfig.positive(v, http.streamIdleTimeout(), "http.streamIdleTimeout");
    }
  }

  /**
   * HTTP timeouts of MeshTimeout.
   *
   * @param requestTimeout from sending the request until the response headers arrive, over all
   *     tries, default 15s
   * @param streamIdleTimeout longest gap between two response body chunks, default 30m
   */
  public record HttpTimeouts(Duration requestTimeout, Duration streamIdleTimeout) {
    public HttpTimeouts {
      requestTimeout = requestTimeout == null ? Duration.ofSeconds(15) : requestTimeout;
      streamIdleTimeout = streamIdleTimeout == null ? Duration.ofMinutes(30) : streamIdleTimeout;
    }
  }

  /**
   * MeshRetry (http) for this backend.
   *
   * @param numRetries retries after the first try, default 0 (off)
   * @param perTryTimeout timeout of one try until response headers, default: none (the request
   *     timeout)
   * @param backOff jittered exponential backoff between tries
   * @param retryOn conditions: 5XX, GatewayError, Reset, ConnectFailure, Retriable4xx (409) or a
   *     status code such as "429"; default [5XX, GatewayError, Reset, ConnectFailure]
   * @param retryNonIdempotent also retry POST/PATCH and other non-idempotent methods, default false
   * @param budget retry budget
   */
  public record MeshRetry(
      Integer numRetries,
      Duration perTryTimeout,
      BackOff backOff,
      List<String> retryOn,
      Boolean retryNonIdempotent,
      RetryBudget budget) {
    /** Conditions accepted in {@code retryOn} besides status codes. */
    public static final List<String> CONDITIONS =
        List.of("5XX", "GatewayError", "Reset", "ConnectFailure", "Retriable4xx");

    public MeshRetry {
      numRetries = numRetries == null ? 0 : numRetries;
      backOff = backOff == null ? new BackOff(null, null) : backOff;
      retryOn =
          retryOn == null
              ? List.of("5XX", "GatewayError", "Reset", "ConnectFailure")
              : GatewayConfig.immutable(retryOn);
      retryNonIdempotent = retryNonIdempotent != null && retryNonIdempotent;
      budget = budget == null ? new RetryBudget(null, null) : budget;
    }

    void validate(Validator v) {
      v.check(numRetries >= 0 && numRetries <= 10, "numRetries", numRetries, "0 to 10");
      GatewayConfig.positive(v, perTryTimeout, "perTryTimeout");
      GatewayConfig.positive(v, backOff.baseInterval(), "backOff.baseInterval");
      GatewayConfig.positive(v, backOff.maxInterval(), "backOff.maxInterval");
      v.check(
          backOff.maxInterval().compareTo(backOff.baseInterval()) >= 0,
          "backOff.maxInterval",
          backOff.maxInterval(),
          ">= backOff.baseInterval (" + backOff.baseInterval() + ")");
      v.each(
          "retryOn",
          retryOn,
          (cv, c) ->
              cv.check(
                  CONDITIONS.contains(c) || c.matches("[1-5][0-9][0-9]"),
                  "",
                  "'" + c + "'",
                  "one of " + CONDITIONS + " or an HTTP status code"));
      v.check(
          budget.percent() >= 0 && budget.percent() <= 100,
          "budget.percent",
          budget.percent(),
          "0 to 100");
      v.check(
          budget.minRetryConcurrency() >= 0,
          "budget.minRetryConcurrency",
          budget.minRetryConcurrency(),
          ">= 0");
    }
  }

  /**
   * Jittered exponential backoff.
   *
   * @param baseInterval first backoff, default 25ms
   * @param maxInterval largest backoff, default 10 x baseInterval
   */
  public record BackOff(Duration baseInterval, Duration maxInterval) {
    public BackOff {
      baseInterval = baseInterval == null ? Duration.ofMillis(25) : baseInterval;
      maxInterval = maxInterval == null ? baseInterval.multipliedBy(10) : maxInterval;
    }
  }

  /**
   * Retry budget: retries in flight may not exceed this share of active requests.
   *
   * @param percent percent of active requests, default 20
   * @param minRetryConcurrency retries always allowed in flight, default 3
   */
  public record RetryBudget(Double percent, Integer minRetryConcurrency) {
    public RetryBudget {
      percent = percent == null ? 20.0 : percent;
      minRetryConcurrency = minRetryConcurrency == null ? 3 : minRetryConcurrency;
    }
  }

  /**
   * MeshCircuitBreaker for this backend.
   *
   * @param connectionLimits concurrency limits
   * @param outlierDetection passive health checking per endpoint
   */
  public record MeshCircuitBreaker(ConnectionLimits connectionLimits, Outlier outlierDetection) {
    public MeshCircuitBreaker {
      connectionLimits =
          connectionLimits == null ? new ConnectionLimits(null, null, null) : connectionLimits;
      outlierDetection =
          outlierDetection == null
              ? new Outlier(null, null, null, null, null, null)
              : outlierDetection;
    }

    void validate(Validator v) {
      v.check(
          connectionLimits.maxRequests() >= 1,
          "connectionLimits.maxRequests",
          connectionLimits.maxRequests(),
          ">= 1");
      v.check(
          connectionLimits.maxPendingRequests() >= 0,
          "connectionLimits.maxPendingRequests",
          connectionLimits.maxPendingRequests(),
          ">= 0");
      v.check(
          connectionLimits.maxRetries() >= 0,
          "connectionLimits.maxRetries",
          connectionLimits.maxRetries(),
          ">= 0");
      Validator ov = v.at("outlierDetection");
      GatewayConfig.positive(ov, outlierDetection.baseEjectionTime(), "baseEjectionTime");
      ov.check(
          outlierDetection.maxEjectionPercent() >= 0
              && outlierDetection.maxEjectionPercent() <= 100,
          "maxEjectionPercent",
          outlierDetection.maxEjectionPercent(),
          "0 to 100");
      Detectors d = outlierDetection.detectors();
      ov.check(
          d.totalFailures().consecutive() >= 1,
          "detectors.totalFailures.consecutive",
          d.totalFailures().consecutive(),
          ">= 1");
      ov.check(
          d.gatewayFailures().consecutive() >= 1,
          "detectors.gatewayFailures.consecutive",
          d.gatewayFailures().consecutive(),
          ">= 1");
      ov.check(
          d.localOriginFailures().consecutive() >= 1,
          "detectors.localOriginFailures.consecutive",
          d.localOriginFailures().consecutive(),
          ">= 1");
      GatewayConfig.positive(ov, outlierDetection.interval(), "interval");
      if (d.failurePercentage() != null) {
        FailurePercentage f = d.failurePercentage();
        Validator fv = ov.at("detectors.failurePercentage");
        fv.check(
            f.threshold() >= 0 && f.threshold() <= 100, "threshold", f.threshold(), "0 to 100");
        fv.check(f.requestVolume() >= 1, "requestVolume", f.requestVolume(), ">= 1");
        fv.check(f.minimumHosts() >= 1, "minimumHosts", f.minimumHosts(), ">= 1");
      }
      if (d.successRate() != null) {
        SuccessRate r = d.successRate();
        Validator rv = ov.at("detectors.successRate");
        rv.check(
            r.standardDeviationFactor() > 0,
            "standardDeviationFactor",
            r.standardDeviationFactor(),
            "> 0");
        rv.check(r.requestVolume() >= 1, "requestVolume", r.requestVolume(), ">= 1");
        rv.check(r.minimumHosts() >= 1, "minimumHosts", r.minimumHosts(), ">= 1");
      }
    }
  }

  /**
   * Concurrency limits of MeshCircuitBreaker; beyond them requests fail fast with 503.
   *
   * @param maxPendingRequests requests of the backend waiting for an upstream connection (beyond
   *     connectionPool.maxConnections per endpoint); more -> POOL_OVERFLOW 503 at once, default
   *     1024
   * @param maxRequests requests in flight to the backend; more -> CIRCUIT_OPEN 503, default 1024
   * @param maxRetries retries in flight to the backend, default 3
   */
  public record ConnectionLimits(
      Integer maxPendingRequests, Integer maxRequests, Integer maxRetries) {
    public ConnectionLimits {
      maxPendingRequests = maxPendingRequests == null ? 1024 : maxPendingRequests;
      maxRequests = maxRequests == null ? 1024 : maxRequests;
      maxRetries = maxRetries == null ? 3 : maxRetries;
    }
  }

  /**
   * Outlier detection of MeshCircuitBreaker: endpoints that fail in a row are ejected.
   *
   * @param disabled default false
   * @param baseEjectionTime first ejection; the n-th ejection lasts n x this, default 30s
   * @param maxEjectionPercent most endpoints ejected at once, percent, default 100
   * @param detectors failure detectors
   * @param maxEjectionTime longest ejection, default 300s
   * @param interval how often the failurePercentage and successRate detectors run, default 10s
   */
  public record Outlier(
      Boolean disabled,
      Duration baseEjectionTime,
      Integer maxEjectionPercent,
      Detectors detectors,
      Duration maxEjectionTime,
      Duration interval) {
    public Outlier {
      disabled = disabled != null && disabled;
      baseEjectionTime = baseEjectionTime == null ? Duration.ofSeconds(30) : baseEjectionTime;
      maxEjectionPercent = maxEjectionPercent == null ? 100 : maxEjectionPercent;
      detectors = detectors == null ? new Detectors(null, null, null, null, null) : detectors;
      maxEjectionTime = maxEjectionTime == null ? Duration.ofSeconds(300) : maxEjectionTime;
      interval = interval == null ? Duration.ofSeconds(10) : interval;
    }
  }

  /**
   * Outlier detectors.
   *
   * @param totalFailures consecutive 5xx responses and gateway errors, default 5
   * @param gatewayFailures consecutive gateway errors (502, 503, 504, connect failure, timeout),
   *     default 5
   * @param localOriginFailures consecutive failures seen locally (connect failure, reset, timeout),
   *     default 5
   * @param failurePercentage per-interval failure percentage detector, optional (off)
   * @param successRate per-interval success-rate outlier detector, optional (off)
   */
  public record Detectors(
      Consecutive totalFailures,
      Consecutive gatewayFailures,
      Consecutive localOriginFailures,
      FailurePercentage failurePercentage,
      SuccessRate successRate) {
    public Detectors {
      totalFailures = totalFailures == null ? new Consecutive(null) : totalFailures;
      gatewayFailures = gatewayFailures == null ? new Consecutive(null) : gatewayFailures;
      localOriginFailures =
          localOriginFailures == null ? new Consecutive(null) : localOriginFailures;
    }
  }

  /**
   * Failure percentage detector: every interval, endpoints with at least {@code requestVolume}
   * requests and a failure percentage of at least {@code threshold} are ejected, when at least
   * {@code minimumHosts} endpoints had that volume.
   *
   * @param threshold failure percent, default 85
   * @param requestVolume requests in the interval, default 50
   * @param minimumHosts endpoints with enough volume, default 5
   */
  public record FailurePercentage(Integer threshold, Integer requestVolume, Integer minimumHosts) {
    public FailurePercentage {
      threshold = threshold == null ? 85 : threshold;
      requestVolume = requestVolume == null ? 50 : requestVolume;
      minimumHosts = minimumHosts == null ? 5 : minimumHosts;
    }
  }

  /**
   * Success rate detector: every interval, endpoints whose success rate is below mean - factor x
   * standard deviation of the endpoints with at least {@code requestVolume} requests are ejected,
   * when at least {@code minimumHosts} endpoints had that volume.
   *
   * @param standardDeviationFactor default 1.9
   * @param requestVolume requests in the interval, default 100
   * @param minimumHosts endpoints with enough volume, default 5
   */
  public record SuccessRate(
      Double standardDeviationFactor, Integer requestVolume, Integer minimumHosts) {
    public SuccessRate {
      standardDeviationFactor = standardDeviationFactor == null ? 1.9 : standardDeviationFactor;
      requestVolume = requestVolume == null ? 100 : requestVolume;
      minimumHosts = minimumHosts == null ? 5 : minimumHosts;
    }
  }

  /**
   * A consecutive-failures threshold.
   *
   * @param consecutive failures in a row that eject an endpoint, default 5
   */
  public record Consecutive(Integer consecutive) {
    public Consecutive {
      consecutive = consecutive == null ? 5 : consecutive;
    }
  }
}
