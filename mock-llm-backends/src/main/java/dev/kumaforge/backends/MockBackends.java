package dev.kumaforge.backends;

import dev.kumaforge.backends.config.BackendsConfig;
import dev.kumaforge.backends.config.ProviderConfig;
import dev.kumaforge.backends.internal.ProviderRuntime;
import dev.kumaforge.backends.internal.Servers;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Running mock providers, one listener per provider, all on one shared event loop group.
 *
 * <pre>{@code
 * try (MockBackends backends = MockBackends.start(config.withEphemeralPorts())) {
 *   String openai = backends.listeners().get("openai"); // http://127.0.0.1:40123
 * }
 * }</pre>
 */
public final class MockBackends implements AutoCloseable {
  private final EventLoopGroup group;
  private final List<Channel> channels;
  private final Map<String, String> listeners;
  private final Map<String, ProviderRuntime> providers;
  private boolean closed;

  private MockBackends(
      EventLoopGroup group,
      List<Channel> channels,
      Map<String, String> listeners,
      Map<String, ProviderRuntime> providers) {
    this.group = group;
    this.channels = channels;
    this.listeners = listeners;
    this.providers = providers;
  }

  /** Starts every provider of {@code config}; fails (and frees what was bound) on a bind error. */
  public static MockBackends start(BackendsConfig config) {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    EventLoopGroup group = Servers.newGroup(threads);
    List<Channel> channels = new ArrayList<>();
    Map<String, String> listeners = new LinkedHashMap<>();
    Map<String, ProviderRuntime> providers = new LinkedHashMap<>();
    try {
      for (ProviderConfig p : config.providers()) {
        ProviderRuntime runtime = new ProviderRuntime(p, config.seed());
        Channel ch;
        try {
          ch = Servers.bind(group, runtime);
        } catch (InterruptedException e) {
          throw e;
        } catch (Exception e) {
          // Netty's sync() rethrows the bind failure (a checked BindException) unchecked.
          throw new IllegalStateException(
              "provider '" + p.name() + "': cannot listen on " + p.listen() + ": " + e, e);
        }
        channels.add(ch);
        InetSocketAddress bound = (InetSocketAddress) ch.localAddress();
        String host = bound.getAddress().isAnyLocalAddress() ? "127.0.0.1" : bound.getHostString();
        if (host.contains(":")) {
          host = "[" + host + "]";
        }
        String scheme = p.tls() == null ? "http://" : "https://";
        listeners.put(p.name(), scheme + host + ":" + bound.getPort());
        providers.put(p.name(), runtime);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      shutdown(group, channels);
      throw new IllegalStateException("interrupted while binding the mock backends", e);
    } catch (RuntimeException e) {
      shutdown(group, channels);
      throw e;
    }
    return new MockBackends(
        group,
        List.copyOf(channels),
        Collections.unmodifiableMap(listeners),
        Collections.unmodifiableMap(providers));
  }

  /**
   * Provider name -> base URL such as {@code http://127.0.0.1:18001} ({@code https://} for a TLS
   * provider), in config order.
   */
  public Map<String, String> listeners() {
    return listeners;
  }

  /** The live state of a provider (ledger, faults), for embedding and tests. */
  public ProviderRuntime provider(String name) {
    ProviderRuntime p = providers.get(name);
    if (p == null) {
      throw new IllegalArgumentException(
          "unknown provider '" + name + "' (expected one of " + providers.keySet() + ")");
    }
    return p;
  }

  /** Stops accepting, lets answers in flight finish for up to 2 s, then frees the threads. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    shutdown(group, channels);
  }

  private static void shutdown(EventLoopGroup group, List<Channel> channels) {
    for (Channel ch : channels) {
      ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    group
        .shutdownGracefully(100, 2000, TimeUnit.MILLISECONDS)
        .awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
