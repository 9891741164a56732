package dev.kumaforge.gateway.loadbalancer;

import dev.kumaforge.gateway.upstream.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/** Weighted round robin over an interleaved schedule; unavailable endpoints are skipped. */
final class RoundRobin implements LoadBalancer {
  private final int[] schedule;
  private final AtomicInteger next = new AtomicInteger();

  RoundRobin(Endpoint[] endpoints) {
    this.schedule = schedule(endpoints);
  }

  /** Smooth weighted round robin (as nginx): spreads heavy endpoints through the cycle. */
  static int[] schedule(Endpoint[] endpoints) {
    int total = 0;
    int gcd = 0;
    for (Endpoint e : endpoints) {
      gcd = gcd(gcd, e.weight());
    }
    for (Endpoint e : endpoints) {
      total += e.weight() / gcd;
    }
    total = Math.min(total, 1 << 16);
    int[] current = new int[endpoints.length];
    List<Integer> order = new ArrayList<>(total);
    for (int n = 0; n < total; n++) {
      int best = 0;
      for (int i = 0; i < endpoints.length; i++) {
        current[i] += endpoints[i].weight() / gcd;
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      order.add(best);
    }
    return order.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  @Override
  public Endpoint pick(HttpRequest request, Endpoint[] endpoints, long now) {
    int start = next.getAndIncrement() & Integer.MAX_VALUE;
    for (int i = 0; i < schedule.length; i++) {
      Endpoint e = endpoints[schedule[(start + i) % schedule.length]];
      if (e.health().available(now)) {
        return e;
      }
    }
    return null;
  }
}
