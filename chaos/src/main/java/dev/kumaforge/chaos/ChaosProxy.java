package dev.kumaforge.chaos;

import dev.kumaforge.chaos.proxy.HostPort;
import dev.kumaforge.chaos.proxy.ProxyRegistry;
import dev.kumaforge.chaos.proxy.ProxyState;
import dev.kumaforge.chaos.proxy.internal.ApiHandler;
import dev.kumaforge.chaos.proxy.internal.Transport;
import dev.kumaforge.chaos.proxy.toxics.ToxicRegistry;
import dev.kumaforge.common.time.NanoClock;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A running fault proxy: the Toxiproxy-compatible control API (plus {@code GET /metrics}) and the
 * proxies of the config.
 *
 * <pre>{@code
 * try (ChaosProxy chaos = ChaosProxy.start(ChaosProxyConfig.load(file))) {
 *   chaos.apiUrl();                 // http://127.0.0.1:8474
 *   chaos.listeners().get("redis"); // tcp://127.0.0.1:26379
 *   chaos.registry().addToxic(...); // in-process control, same semantics as the API
 * }
 * }</pre>
 */
public final class ChaosProxy implements AutoCloseable {
  private final ProxyRegistry registry;
  private final EventLoopGroup apiGroup;
  private final Channel apiChannel;
  private final String apiUrl;
  private boolean closed;

  private ChaosProxy(ProxyRegistry registry, EventLoopGroup apiGroup, Channel apiChannel) {
    this.registry = registry;
    this.apiGroup = apiGroup;
    this.apiChannel = apiChannel;
    this.apiUrl = "http://" + HostPort.format((InetSocketAddress) apiChannel.localAddress());
  }

  /** Starts with the system clock and the standard toxics. */
  public static ChaosProxy start(ChaosProxyConfig config) {
    return start(config, NanoClock.system(), ToxicRegistry.standard());
  }

  /**
   * Binds the API, then creates the config's proxies (all validated first); on failure everything
   * bound is freed and an IllegalStateException names the address.
   */
  public static ChaosProxy start(ChaosProxyConfig config, NanoClock clock, ToxicRegistry toxics) {
    ProxyRegistry registry = new ProxyRegistry(config.threads(), clock, toxics, config.seed());
    EventLoopGroup apiGroup = Transport.newGroup(1, "forge-chaos-api");
    HostPort api = HostPort.parse(config.api(), true);
    InetSocketAddress bind =
        api.host().isEmpty()
            ? new InetSocketAddress(api.port())
            : new InetSocketAddress(api.host(), api.port());
    Channel ch;
    try {
      ServerBootstrap b =
          new ServerBootstrap()
              .group(apiGroup)
              .channel(Transport.serverChannel())
              .option(ChannelOption.SO_REUSEADDR, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                      c.pipeline()
                          .addLast(new HttpServerCodec())
                          .addLast(new HttpObjectAggregator(1 << 20))
                          .addLast(new ApiHandler(registry));
                    }
                  });
      ch = b.bind(bind).sync().channel();
    } catch (Exception e) {
      registry.close();
      apiGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IllegalStateException("cannot listen on " + config.api() + " (api): " + e, e);
    }
    ChaosProxy proxy = new ChaosProxy(registry, apiGroup, ch);
    try {
      registry.populate(config.proxies());
    } catch (RuntimeException e) {
      proxy.close();
      throw new IllegalStateException("cannot create the configured proxies: " + e.getMessage(), e);
    }
    return proxy;
  }

  /** The control API base URL, such as {@code http://127.0.0.1:8474}. */
  public String apiUrl() {
    return apiUrl;
  }

  /** The bound API port. */
  public int apiPort() {
    return ((InetSocketAddress) apiChannel.localAddress()).getPort();
  }

  /**
   * Proxy name to {@code tcp://host:port} for every proxy that listens now (live: proxies created
   * through the API appear too).
   */
  public Map<String, String> listeners() {
    Map<String, String> out = new LinkedHashMap<>();
    for (ProxyState p : registry.proxies().values()) {
      if (p.enabled()) {
        out.put(p.name(), "tcp://" + p.listen());
      }
    }
    return out;
  }

  /** The in-process control of the proxies, with the API's semantics. */
  public ProxyRegistry registry() {
    return registry;
  }

  /** Closes the API and every proxy, cutting live connections. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    apiChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    registry.close();
    apiGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
