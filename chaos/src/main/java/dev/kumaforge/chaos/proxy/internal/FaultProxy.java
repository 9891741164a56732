package dev.kumaforge.chaos.proxy.internal;

import dev.kumaforge.chaos.proxy.HostPort;
import dev.kumaforge.chaos.proxy.StreamDirection;
import dev.kumaforge.chaos.proxy.ToxicSpec;
import dev.kumaforge.chaos.proxy.toxics.ToxicType;
import dev.kumaforge.common.time.NanoClock;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * One proxy: its listener, its toxic chains and its live connections. Public methods are called by
 * the registry under its lock; link updates are applied on each connection's event loop and
 * awaited.
 */
public final class FaultProxy {
  private final String name;
  private final EventLoopGroup group;
  private final NanoClock clock;
  private final SplittableRandom randomRoot;
  private final ProxyMetrics metrics = new ProxyMetrics();
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final Map<String, Map.Entry<ToxicSpec, ToxicType>> toxics = new LinkedHashMap<>();
  private final Object lock = new Object();
  private volatile String listen;
  private volatile String upstream;
  private volatile Channel server;

  /** A stopped proxy. */
  public FaultProxy(
      String name,
      String listen,
      String upstream,
      EventLoopGroup group,
      NanoClock clock,
      long seed) {
    this.name = name;
    this.listen = listen;
    this.upstream = upstream;
    this.group = group;
    this.clock = clock;
    this.randomRoot = new SplittableRandom(seed);
  }

  /** The proxy name. */
  public String name() {
    return name;
  }

  /** The listen address; the bound address once started. */
  public String listen() {
    return listen;
  }

  /** The upstream address. */
  public String upstream() {
    return upstream;
  }

  /** Whether the listener is open. */
  public boolean enabled() {
    return server != null;
  }

  /** The counters. */
  public ProxyMetrics metrics() {
    return metrics;
  }

  NanoClock clock() {
    return clock;
  }

  RandomGenerator newRandom() {
    synchronized (randomRoot) {
      return randomRoot.split();
    }
  }

  /** Changes the addresses; only while stopped. */
  public void setAddresses(String newListen, String newUpstream) {
    if (server != null) {
      throw new IllegalStateException("proxy " + name + " must be stopped to change addresses");
    }
    this.listen = newListen;
    this.upstream = newUpstream;
  }

  /** Opens the listener; on success {@link #listen()} is the bound address. */
  public void start() throws Exception {
    if (server != null) {
      return;
    }
    HostPort hp = HostPort.parse(listen, true);
    InetSocketAddress bindAddress =
        hp.host().isEmpty()
            ? new InetSocketAddress(hp.port())
            : new InetSocketAddress(hp.host(), hp.port());
    if (bindAddress.isUnresolved()) {
      throw new IllegalArgumentException("cannot resolve listen host '" + hp.host() + "'");
    }
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(Transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    accept(ch);
                  }
                });
    Channel ch = b.bind(bindAddress).sync().channel();
    server = ch;
    listen = HostPort.format((InetSocketAddress) ch.localAddress());
  }

  private void accept(Channel client) {
    HostPort up = HostPort.parse(upstream, false);
    new Connection(this, client).start(new InetSocketAddress(up.host(), up.port()));
  }

  /** Closes the listener and cuts every live connection. */
  public void stop() {
    Channel ch = server;
    server = null;
    if (ch != null) {
      ch.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    for (Connection c : List.copyOf(connections)) {
      c.abort();
    }
  }

  /** Called on the connection's event loop: registers it and returns the chain to install. */
  List<Map.Entry<ToxicSpec, ToxicType>> register(Connection c) {
    synchronized (lock) {
      if (server == null) {
        return null;
      }
      connections.add(c);
      return List.copyOf(toxics.values());
    }
  }

  void unregister(Connection c) {
    connections.remove(c);
  }

  /** The toxics, upstream chain first, each in chain order. */
  public List<ToxicSpec> toxics() {
    synchronized (lock) {
      List<ToxicSpec> out = new ArrayList<>();
      for (StreamDirection d :
          new StreamDirection[] {StreamDirection.UPSTREAM, StreamDirection.DOWNSTREAM}) {
        for (Map.Entry<ToxicSpec, ToxicType> e : toxics.values()) {
          if (e.getKey().stream() == d) {
            out.add(e.getKey());
          }
        }
      }
      return out;
    }
  }

  /** The toxic named {@code toxicName}, or null. */
  public ToxicSpec toxic(String toxicName) {
    synchronized (lock) {
      Map.Entry<ToxicSpec, ToxicType> e = toxics.get(toxicName);
      return e == null ? null : e.getKey();
    }
  }

  /** Adds a toxic to the end of its chain, on every live connection too. */
  public void addToxic(ToxicSpec spec, ToxicType type) {
    metrics.toxic(spec.name(), spec.type(), spec.stream());
    applyEverywhere(
        () -> toxics.put(spec.name(), new AbstractMap.SimpleImmutableEntry<>(spec, type)),
        link -> {
          if (link.direction() == spec.stream()) {
            link.add(spec, type);
          }
        },
        spec.stream());
  }

  /** Replaces a toxic's attributes and toxicity, in place in its chain. */
  public void updateToxic(ToxicSpec spec, ToxicType type) {
    applyEverywhere(
        () -> toxics.put(spec.name(), new AbstractMap.SimpleImmutableEntry<>(spec, type)),
        link -> link.update(spec, type),
        spec.stream());
  }

  /** Removes a toxic; whatever it holds on live connections is passed on. */
  public void removeToxic(String toxicName) {
    ToxicSpec spec = toxic(toxicName);
    if (spec == null) {
      return;
    }
    applyEverywhere(() -> toxics.remove(toxicName), link -> link.remove(toxicName), spec.stream());
  }

  private void applyEverywhere(Runnable change, Consumer<Link> onLink, StreamDirection direction) {
    List<Future<?>> futures = new ArrayList<>();
    synchronized (lock) {
      change.run();
      for (Connection c : connections) {
        futures.add(
            c.eventLoop()
                .submit(
                    () -> {
                      Link link = c.link(direction);
                      if (link != null) {
                        onLink.accept(link);
                      }
                    }));
      }
    }
    for (Future<?> f : futures) {
      f.awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  /** The number of live connections. */
  public int connectionCount() {
    return connections.size();
  }
}
