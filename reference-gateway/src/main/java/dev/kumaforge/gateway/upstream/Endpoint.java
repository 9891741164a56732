package dev.kumaforge.gateway.upstream;

import dev.kumaforge.gateway.circuitbreaker.EndpointHealth;
import dev.kumaforge.gateway.config.HostPort;
import java.util.concurrent.atomic.AtomicInteger;

/** One upstream endpoint at run time: address, weight, requests in flight and health. */
public final class Endpoint {
  private final HostPort address;
  private final int weight;
  private final String authority;
  private final AtomicInteger active = new AtomicInteger();
  private final EndpointHealth health = new EndpointHealth();

  public Endpoint(HostPort address, int weight) {
    this.address = address;
    this.weight = weight;
    this.authority = address.toString();
  }

  public HostPort address() {
    return address;
  }

  public String host() {
    return address.host();
  }

  public int port() {
    return address.port();
  }

  public int weight() {
    return weight;
  }

  /** {@code host:port}. */
  public String authority() {
    return authority;
  }

  /** Requests in flight to this endpoint. */
  public AtomicInteger active() {
    return active;
  }

  public EndpointHealth health() {
    return health;
  }

  @Override
  public String toString() {
    return authority;
  }
}
