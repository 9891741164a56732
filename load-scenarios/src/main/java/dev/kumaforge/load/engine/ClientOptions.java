package dev.kumaforge.load.engine;

import dev.kumaforge.load.scenario.Target;
import dev.kumaforge.load.scenario.TargetTls;

/**
 * How the engine connects to one target: TLS settings for an {@code https://} URL and whether every
 * request gets a new connection (to measure the handshake rate).
 *
 * @param tls the CA bundle and client certificate, or null: the JVM's trust store, no certificate
 * @param connectionPerRequest a new connection per request ({@code Connection: close}) instead of
 *     keep-alive; over TLS each one makes a full handshake (sessions are never resumed)
 */
public record ClientOptions(TargetTls tls, boolean connectionPerRequest) {
  /** Keep-alive connections, the JVM's trust store for {@code https://} URLs. */
  public static final ClientOptions DEFAULT = new ClientOptions(null, false);

  /** The options a scenario target asks for. */
  public static ClientOptions of(Target target) {
    return new ClientOptions(target.tls(), target.connectionPerRequest());
  }
}
