package dev.kumaforge.gateway.loadbalancer;

import dev.kumaforge.gateway.upstream.Endpoint;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * Least request with power of {@code choiceCount} choices: sample that many available endpoints at
 * random and take the one with the fewest requests in flight per unit of weight.
 */
final class LeastRequest implements LoadBalancer {
  private final int choiceCount;

  LeastRequest(int choiceCount) {
    this.choiceCount = choiceCount;
  }

  @Override
  public Endpoint pick(HttpRequest request, Endpoint[] endpoints, long now) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Endpoint best = null;
    double bestLoad = Double.MAX_VALUE;
    int n = endpoints.length;
    for (int c = 0; c < choiceCount; c++) {
      int start = random.nextInt(n);
      for (int i = 0; i < n; i++) {
        Endpoint e = endpoints[(start + i) % n];
        if (e.health().available(now)) {
          double load = (e.active().get() + 1.0) / e.weight();
          if (load < bestLoad) {
            best = e;
            bestLoad = load;
          }
          break;
        }
      }
    }
    return best;
  }
}
