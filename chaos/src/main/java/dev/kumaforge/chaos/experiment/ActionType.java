package dev.kumaforge.chaos.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What an action of the method (or a rollback) does. */
public enum ActionType {
  /** Adds a toxic to a proxy through a Toxiproxy-compatible API; stopping removes it. */
  @JsonProperty("toxic")
  TOXIC("toxic"),
  /** Disables a proxy (listener closed, connections cut); stopping enables it again. */
  @JsonProperty("proxy-down")
  PROXY_DOWN("proxy-down"),
  /** Enables every proxy and removes every toxic ({@code POST /reset}). */
  @JsonProperty("proxy-reset")
  PROXY_RESET("proxy-reset"),
  /** Puts L7 faults on a mock backend ({@code PUT /admin/faults}); stopping clears them. */
  @JsonProperty("backend-fault")
  BACKEND_FAULT("backend-fault"),
  /** Sends one HTTP request and checks its status. */
  @JsonProperty("http")
  HTTP("http"),
  /** Kills a managed process ({@code target}) with a signal; stopping restarts it. */
  @JsonProperty("kill")
  KILL("kill"),
  /** Restarts a managed process ({@code target}). */
  @JsonProperty("restart")
  RESTART("restart"),
  /** Asks the gateway to reload its configuration. */
  @JsonProperty("gateway-reload")
  GATEWAY_RELOAD("gateway-reload"),
  /** Stops Redis; stopping the action starts it again. */
  @JsonProperty("redis-stop")
  REDIS_STOP("redis-stop");

  private final String wire;

  ActionType(String wire) {
    this.wire = wire;
  }

  @Override
  public String toString() {
    return wire;
  }
}
