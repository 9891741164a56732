package dev.kumaforge.gateway.proxy;

import dev.kumaforge.gateway.config.Route;
import dev.kumaforge.gateway.ratelimit.LocalRateLimiter;
import dev.kumaforge.gateway.ratelimit.RedisRateLimiter;
import dev.kumaforge.gateway.tls.TrafficPermission;
import dev.kumaforge.gateway.upstream.BackendRuntime;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** A route at run time: its weighted backends and its rate limiter. */
public final class RouteRuntime {
  private final String name;
  private final BackendRuntime[] backends;
  private final int[] cumulative;
  private final LocalRateLimiter rateLimiter;
  private RedisRateLimiter sharedLimiter;
  private final RouteFilters filters;
  private final BackendRuntime mirror;
  private boolean llm;
  private TrafficPermission trafficPermission;

  RouteRuntime(
      String name,
      List<BackendRuntime> backends,
      int[] weights,
      LocalRateLimiter rl,
      RouteFilters filters,
      BackendRuntime mirror) {
    this.filters = filters;
    this.mirror = mirror;
    this.name = name;
    this.backends = backends.toArray(BackendRuntime[]::new);
    this.cumulative = new int[weights.length];
    int sum = 0;
    for (int i = 0; i < weights.length; i++) {
      sum += weights[i];
      cumulative[i] = sum;
    }
    this.rateLimiter = rl;
  }

  static RouteRuntime of(
      Route r,
      java.util.function.Function<String, BackendRuntime> lookup,
      LocalRateLimiter rl,
      RedisRateLimiter shared) {
    List<BackendRuntime> bs = r.backendRefs().stream().map(b -> lookup.apply(b.name())).toList();
    int[] weights = r.backendRefs().stream().mapToInt(Route.BackendRef::weight).toArray();
    RouteFilters filters =
        r.filters().isEmpty() ? RouteFilters.NONE : new RouteFilters(r.filters());
    BackendRuntime mirror =
        filters.mirror() == null ? null : lookup.apply(filters.mirror().backendRef().name());
    RouteRuntime rt = new RouteRuntime(r.name(), bs, weights, rl, filters, mirror);
    rt.llm = r.llm();
    rt.trafficPermission = r.trafficPermission();
    rt.sharedLimiter = shared;
    return rt;
  }

  public String name() {
    return name;
  }

  /** Whether the AI gateway serves this route. */
  public boolean llm() {
    return llm;
  }

  /** Allow/deny by client SPIFFE ID, or null when every client may use the route. */
  public TrafficPermission trafficPermission() {
    return trafficPermission;
  }

  /** The mirror backend, or null. */
  BackendRuntime mirror() {
    return mirror;
  }

  RouteFilters filters() {
    return filters;
  }

  /** Local rate limiter, or null. */
  public LocalRateLimiter rateLimiter() {
    return rateLimiter;
  }

  /** Rate limiter shared through Redis, or null. */
  public RedisRateLimiter sharedLimiter() {
    return sharedLimiter;
  }

  /** A backend chosen by weight. */
  public BackendRuntime pickBackend() {
    if (backends.length == 1) {
      return backends[0];
    }
    int x = ThreadLocalRandom.current().nextInt(cumulative[cumulative.length - 1]);
    for (int i = 0; i < cumulative.length; i++) {
      if (x < cumulative[i]) {
        return backends[i];
      }
    }
    return backends[backends.length - 1];
  }
}
