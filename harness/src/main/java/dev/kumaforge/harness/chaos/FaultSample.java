package dev.kumaforge.harness.chaos;

/**
 * What the fault monitor read at one instant; counters are totals since the start of the run
 * (surviving process restarts).
 *
 * @param tNanos the clock reading
 * @param clientSent requests the load sent
 * @param clientErrors requests that failed at the client
 * @param backendRequests requests the mock backends served (their ledgers, all endpoints)
 * @param backendErrors of those, answered with an error or a fault
 * @param upstreamFailures the gateway's {@code gateway_upstream_failures_total}
 * @param retries the gateway's {@code gateway_retries_total}
 * @param ejections the gateway's {@code gateway_outlier_ejections_total}
 * @param unavailable the gateway's {@code gateway_backend_endpoints_unavailable} (a gauge)
 * @param configVersion the gateway's {@code gateway_config_version}, -1 when unknown
 * @param gatewayUp whether the gateway's admin listener answered
 * @param rateLimitRedisErrors the gateway's {@code gateway_ratelimit_redis_errors_total}
 */
public record FaultSample(
    long tNanos,
    double clientSent,
    long clientErrors,
    double backendRequests,
    double backendErrors,
    double upstreamFailures,
    double retries,
    double ejections,
    double unavailable,
    double configVersion,
    boolean gatewayUp,
    double rateLimitRedisErrors) {

  /** A sample without shared rate limit readings. */
  public FaultSample(
      long tNanos,
      double clientSent,
      long clientErrors,
      double backendRequests,
      double backendErrors,
      double upstreamFailures,
      double retries,
      double ejections,
      double unavailable,
      double configVersion,
      boolean gatewayUp) {
    this(
        tNanos,
        clientSent,
        clientErrors,
        backendRequests,
        backendErrors,
        upstreamFailures,
        retries,
        ejections,
        unavailable,
        configVersion,
        gatewayUp,
        0);
  }
}
