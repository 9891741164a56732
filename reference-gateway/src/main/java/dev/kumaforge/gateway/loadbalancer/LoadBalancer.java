package dev.kumaforge.gateway.loadbalancer;

import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.upstream.Endpoint;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/** Picks an endpoint for a request among the available ones. */
public interface LoadBalancer {
  /**
   * The chosen endpoint, or null when none of {@code endpoints} is available.
   *
   * @param request the request (for hash-based balancing)
   * @param endpoints every endpoint of the backend
   * @param now clock reading for availability checks
   */
  Endpoint pick(HttpRequest request, Endpoint[] endpoints, long now);

  /** Creates the balancer the config asks for. */
  static LoadBalancer of(Backend.LoadBalancer config, Endpoint[] endpoints) {
    return switch (config.type()) {
      case RoundRobin -> new RoundRobin(endpoints);
      case Random -> new RandomBalancer(endpoints);
      case LeastRequest -> new LeastRequest(config.leastRequest().choiceCount());
      case RingHash -> new RingHash(endpoints, config.ringHash());
    };
  }
}
