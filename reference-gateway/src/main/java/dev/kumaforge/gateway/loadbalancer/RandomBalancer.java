package dev.kumaforge.gateway.loadbalancer;

import dev.kumaforge.gateway.upstream.Endpoint;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/** Weighted random choice; when the choice is unavailable, the next available one. */
final class RandomBalancer implements LoadBalancer {
  private final int[] schedule;

  RandomBalancer(Endpoint[] endpoints) {
    this.schedule = RoundRobin.schedule(endpoints);
  }

  @Override
  public Endpoint pick(HttpRequest request, Endpoint[] endpoints, long now) {
    int start = ThreadLocalRandom.current().nextInt(schedule.length);
    for (int i = 0; i < schedule.length; i++) {
      Endpoint e = endpoints[schedule[(start + i) % schedule.length]];
      if (e.health().available(now)) {
        return e;
      }
    }
    return null;
  }
}
