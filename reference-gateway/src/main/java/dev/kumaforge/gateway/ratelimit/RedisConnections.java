package dev.kumaforge.gateway.ratelimit;

import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.config.RedisConnection;
import dev.kumaforge.gateway.internal.LettuceTransport;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's named Redis connections (the top-level {@code redis} section): one Lettuce client
 * with two I/O threads, one multiplexed connection per name, connected in the background and
 * reconnected automatically. While a connection is down, commands fail at once instead of queueing.
 */
public final class RedisConnections implements AutoCloseable {
  /** How long a failed connection attempt is remembered before the next one. */
  static final Duration RETRY_CONNECT = Duration.ofMillis(500);

  private final ClientResources resources;
  private final RedisClient client;
  private final Map<String, Link> links;

  private RedisConnections(Map<String, RedisConnection> config, NanoClock clock) {
    LettuceTransport.withoutIoUring();
    this.resources =
        DefaultClientResources.builder()
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(1)
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(20), Duration.ofMillis(500), 2, TimeUnit.MILLISECONDS))
            .build();
    this.client = RedisClient.create(resources);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .requestQueueSize(100_000)
            .socketOptions(SocketOptions.builder().keepAlive(true).build())
            .build());
    Map<String, Link> m = new LinkedHashMap<>();
    config.forEach((name, c) -> m.put(name, new Link(name, c, clock)));
    this.links = Collections.unmodifiableMap(m);
  }

  /**
   * Connections for {@code config}; each starts connecting at once, in the background (Redis down
   * at start is not an error: calls fail until it answers).
   */
  public static RedisConnections create(Map<String, RedisConnection> config, NanoClock clock) {
    RedisConnections c = new RedisConnections(config, clock);
    c.links.values().forEach(Link::connection);
    return c;
  }

  /** The connection named {@code name}; throws when the config does not define it. */
  public Link link(String name) {
    Link l = links.get(name);
    if (l == null) {
      throw new IllegalArgumentException("no Redis connection named '" + name + "'");
    }
    return l;
  }

  @Override
  public void close() {
    links.values().forEach(Link::close);
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  /** One named connection. */
  public final class Link {
    private final String name;
    private final RedisURI uri;
    private final String keyPrefix;
    private final NanoClock clock;
    private volatile CompletableFuture<StatefulRedisConnection<String, String>> current;
    private long failedAt;
    private boolean closed;

    Link(String name, RedisConnection config, NanoClock clock) {
      this.name = name;
      this.uri = RedisURI.create(config.uri());
      this.uri.setTimeout(config.connectTimeout());
      this.keyPrefix = config.keyPrefix();
      this.clock = clock;
    }

    /** The connection's name in the config (a metric label). */
    public String name() {
      return name;
    }

    /** Prefix of every key stored through this connection. */
    public String keyPrefix() {
      return keyPrefix;
    }

    /**
     * The connection, or a future failing at once while the last attempt failed less than {@link
     * #RETRY_CONNECT} ago; never blocks.
     */
    public CompletableFuture<StatefulRedisConnection<String, String>> connection() {
      CompletableFuture<StatefulRedisConnection<String, String>> c = current;
      if (c != null && c.isDone() && !c.isCompletedExceptionally()) {
        return c; // connected (Lettuce reconnects it by itself): no lock on the request path
      }
      return connect();
    }

    private synchronized CompletableFuture<StatefulRedisConnection<String, String>> connect() {
      CompletableFuture<StatefulRedisConnection<String, String>> c = current;
      if (closed) {
        return CompletableFuture.failedFuture(new IllegalStateException("closed"));
      }
      if (c != null
          && (!c.isCompletedExceptionally()
              || clock.nanoTime() - failedAt < RETRY_CONNECT.toNanos())) {
        return c;
      }
      CompletableFuture<StatefulRedisConnection<String, String>> next =
          client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
      next.whenComplete(
          (conn, err) -> {
            if (err != null) {
              synchronized (this) {
                failedAt = clock.nanoTime();
              }
            }
          });
      current = next;
      return next;
    }

    synchronized void close() {
      closed = true;
      if (current != null) {
        current.thenAccept(StatefulRedisConnection::close);
      }
    }
  }
}
