package dev.kumaforge.gateway.proxy;

import com.typesafe.config.Config;
import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.auth.Authenticator;
import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.gateway.ratelimit.LocalRateLimiter;
import dev.kumaforge.gateway.ratelimit.RateLimitMetrics;
import dev.kumaforge.gateway.ratelimit.RedisConnections;
import dev.kumaforge.gateway.ratelimit.RedisRateLimiter;
import dev.kumaforge.gateway.routing.Router;
import dev.kumaforge.gateway.upstream.BackendRuntime;
import dev.kumaforge.gateway.upstream.Endpoint;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One immutable, compiled config: router, routes and backends; swapped atomically on reload.
 *
 * @param config the config it was built from
 * @param router compiled routes
 * @param backends backends by name
 * @param version 1 at start, +1 per successful reload
 * @param loadedAt when it became active
 * @param authenticator the routes' authentication (API keys, JWT providers)
 */
public record Snapshot(
    GatewayConfig config,
    Router<RouteRuntime> router,
    Map<String, BackendRuntime> backends,
    long version,
    Instant loadedAt,
    Authenticator authenticator) {

  /**
   * Compiles {@code config}; endpoint state of {@code previous} (may be null) is kept for endpoints
   * that stay.
   */
  public static Snapshot build(
      GatewayConfig config, Config pekkoConfig, NanoClock clock, Snapshot previous, long version) {
    return build(config, pekkoConfig, clock, previous, version, null);
  }

  /**
   * Compiles {@code config} with {@code shared} (may be null when no route has a shared rate limit)
   * for the routes whose rate limit is shared through Redis.
   */
  public static Snapshot build(
      GatewayConfig config,
      Config pekkoConfig,
      NanoClock clock,
      Snapshot previous,
      long version,
      SharedLimits shared) {
    Authenticator authenticator =
        Authenticator.build(config, clock, previous == null ? null : previous.authenticator());
    Map<String, BackendRuntime> backends = new LinkedHashMap<>();
    for (Backend b : config.backends()) {
      Map<String, Endpoint> old = new HashMap<>();
      if (previous != null && previous.backends().containsKey(b.name())) {
        for (Endpoint e : previous.backends().get(b.name()).endpoints()) {
          old.put(e.authority(), e);
        }
      }
      backends.put(b.name(), new BackendRuntime(b, pekkoConfig, old, config.transportOf(b)));
    }
    Router<RouteRuntime> router =
        Router.compile(
            config.routes(),
            r -> {
              if (r.rateLimit() != null && r.rateLimit().shared() != null) {
                if (shared == null) {
                  throw new IllegalStateException(
                      "route " + r.name() + " has a shared rate limit but no Redis connections");
                }
                RedisRateLimiter rl =
                    new RedisRateLimiter(
                        r.name(),
                        r.rateLimit(),
                        shared.connections().link(r.rateLimit().shared().redis()),
                        shared.metrics(),
                        clock);
                return RouteRuntime.of(r, backends::get, null, rl);
              }
              return RouteRuntime.of(
                  r,
                  backends::get,
                  r.rateLimit() == null ? null : new LocalRateLimiter(r.rateLimit(), clock),
                  null);
            });
    return new Snapshot(
        config,
        router,
        java.util.Collections.unmodifiableMap(backends),
        version,
        Instant.ofEpochMilli(clock.currentTimeMillis()),
        authenticator);
  }

  /**
   * What routes with a shared rate limit need: the gateway's Redis connections and metrics.
   *
   * @param connections named Redis connections
   * @param metrics shared rate limit metrics
   */
  public record SharedLimits(RedisConnections connections, RateLimitMetrics metrics) {}
}
