package dev.kumaforge.gateway.loadbalancer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.common.time.ManualClock;
import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.config.HostPort;
import dev.kumaforge.gateway.upstream.Endpoint;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;

class LoadBalancerTest {
  private final ManualClock clock = new ManualClock();
  private final HttpRequest request = HttpRequest.create("/");

  private static Endpoint[] endpoints(int... weights) {
    Endpoint[] e = new Endpoint[weights.length];
    for (int i = 0; i < weights.length; i++) {
      e[i] = new Endpoint(new HostPort("10.0.0." + (i + 1), 80), weights[i]);
    }
    return e;
  }

  private static LoadBalancer lb(Backend.LbType type, Endpoint[] eps) {
    Backend.RingHash ring =
        new Backend.RingHash(
            List.of(
                new Backend.HashPolicy(
                    Backend.HashType.Header, new Backend.Named("x-session"), null)));
    return LoadBalancer.of(new Backend.LoadBalancer(type, null, ring), eps);
  }

  private Map<Endpoint, Integer> spread(LoadBalancer lb, Endpoint[] eps, int n) {
    Map<Endpoint, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(lb.pick(request, eps, clock.nanoTime()), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void weightedRoundRobinIsExactOverACycle() {
    Endpoint[] eps = endpoints(3, 1);
    Map<Endpoint, Integer> c = spread(lb(Backend.LbType.RoundRobin, eps), eps, 400);
    assertThat(c).containsEntry(eps[0], 300).containsEntry(eps[1], 100);
  }

  @Test
  void ejectedEndpointsAreSkippedAndNoneLeftGivesNull() {
    Endpoint[] eps = endpoints(1, 1);
    Backend.Outlier policy =
        new Backend.Outlier(
            false,
            Duration.ofSeconds(5),
            100,
            new Backend.Detectors(
                new Backend.Consecutive(1), new Backend.Consecutive(1), null, null, null),
            null,
            null);
    eps[0].health().onFailure(true, true, clock.nanoTime(), policy, true);
    for (Backend.LbType t : Backend.LbType.values()) {
      LoadBalancer lb = lb(t, eps);
      assertThat(spread(lb, eps, 50)).as(t.name()).containsOnlyKeys(eps[1]);
    }
    eps[1].health().onFailure(true, true, clock.nanoTime(), policy, true);
    assertThat(lb(Backend.LbType.RoundRobin, eps).pick(request, eps, clock.nanoTime())).isNull();
  }

  @Test
  void randomFollowsWeights() {
    Endpoint[] eps = endpoints(1, 4);
    Map<Endpoint, Integer> c = spread(lb(Backend.LbType.Random, eps), eps, 5000);
    assertThat(c.get(eps[1])).isBetween(3700, 4300);
  }

  @Test
  void leastRequestPrefersTheIdleEndpoint() {
    Endpoint[] eps = endpoints(1, 1);
    eps[0].active().set(10);
    Map<Endpoint, Integer> c = spread(lb(Backend.LbType.LeastRequest, eps), eps, 1000);
    // two random choices: the loaded endpoint only wins when both samples are it (~25%)
    assertThat(c.get(eps[1])).isGreaterThan(650);
  }

  @Test
  void ringHashIsStickyPerHeaderValue() {
    Endpoint[] eps = endpoints(1, 1, 1);
    LoadBalancer lb = lb(Backend.LbType.RingHash, eps);
    Map<Endpoint, Integer> owners = new HashMap<>();
    for (int s = 0; s < 300; s++) {
      HttpRequest r = request.addHeader(RawHeader.create("X-Session", "user-" + s));
      Endpoint first = lb.pick(r, eps, clock.nanoTime());
      for (int i = 0; i < 3; i++) {
        assertThat(lb.pick(r, eps, clock.nanoTime())).isSameAs(first);
      }
      owners.merge(first, 1, Integer::sum);
    }
    assertThat(owners).hasSize(3);
    assertThat(owners.values()).allSatisfy(n -> assertThat(n).isBetween(50, 150));
  }
}
