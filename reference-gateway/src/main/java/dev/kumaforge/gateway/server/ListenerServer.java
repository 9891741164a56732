package dev.kumaforge.gateway.server;

import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.gateway.config.HostPort;
import dev.kumaforge.gateway.harden.ListenerSettings;
import dev.kumaforge.gateway.tls.ServerTls;
import dev.kumaforge.gateway.upstream.netty.EventLoops;
import dev.kumaforge.gateway.upstream.netty.LoopDispatchers;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.japi.function.Function;

/**
 * One bound listener (public or admin): plain HTTP or TLS/mTLS, with the header deadline and the
 * connection limit of {@link ConnectionGuard} in front of the handler, and TLS files re-read every
 * {@code tls.reloadInterval}.
 *
 * <pre>
 *   pekko: Pekko IO -> idle timeout -> TLS stage (an SSLEngine per connection from ServerTls: BoringSSL or JDK)
 *       -> HeaderScan (bare LF, TE on HTTP/1.0, oversized credentials; raw bytes)
 *       -> HeadGate (maxConnections, first head's deadline; the rest exists once a head got through)
 *   netty: server channel -> [SslHandler over the same SSLEngine] -> FirstHead (HeadGate's work, in
 *       the pipeline) -> ChannelFlow -> idle timeout -> HeaderScan
 *       -> Pekko HTTP server layer -> graceful terminator -> ConnectionGuard -> handler (mapAsync 1)
 *   netty with front netty (the default): ... -> FirstHead -> idle timeout -> Netty's HTTP/1.1
 *       codec -> FrontConnection (FrontRequests' checks, the same handler; see Front)
 * </pre>
 *
 * <p>{@link Listening} assembles this stack per connection the way Pekko's {@code bindFlow} does,
 * with {@link HeaderScan} added below the parser; Pekko's graceful drain is kept.
 */
public final class ListenerServer {
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(15);

  private final String name;
  private final Listening.Binding binding;
  private final String url;
  private final ConnectionGuard.Limits limits;
  private final ServerTls tls;
  private final Cancellable tlsWatch;
  private final TlsReloads tlsReloads;
  private final String transport;
  private final String front;

  /** TLS file reloads of one listener, by result. */
  static final class TlsReloads {
    final LongAdder success = new LongAdder();
    final LongAdder failure = new LongAdder();
  }

  private ListenerServer(
      String name,
      Listening.Binding binding,
      String url,
      ConnectionGuard.Limits limits,
      ServerTls tls,
      Cancellable tlsWatch,
      TlsReloads tlsReloads,
      String transport,
      String front) {
    this.name = name;
    this.binding = binding;
    this.url = url;
    this.limits = limits;
    this.tls = tls;
    this.tlsWatch = tlsWatch;
    this.tlsReloads = tlsReloads;
    this.transport = transport;
    this.front = front;
  }

  /**
   * Binds listener {@code name} with Pekko IO and waits for the socket.
   *
   * @throws IllegalStateException naming the listener when it cannot bind or its TLS files are
   *     unusable
   */
  public static ListenerServer bind(
      ActorSystem system,
      String name,
      GatewayConfig.Listener config,
      Function<HttpRequest, CompletionStage<HttpResponse>> handler) {
    return bind(system, name, config, handler, null, null, null, false);
  }

  /**
   * Binds listener {@code name} and waits for the socket: on a Netty server channel on {@code
   * loops}, or with Pekko IO when {@code loops} is null. {@code heads} (netty only, may be null):
   * the loops that accept plain-HTTP connections and hold them until their first request head has
   * ended, before they move to {@code loops}. {@code pinned} (netty only, may be null): one
   * dispatcher per loop of {@code loops}; each connection's stages then run on its channel's loop.
   * {@code nettyFront} (netty only): Netty's HTTP/1.1 codec parses and renders in place of Pekko's
   * server layer ({@link Front}).
   *
   * @throws IllegalStateException naming the listener when it cannot bind or its TLS files are
   *     unusable
   */
  public static ListenerServer bind(
      ActorSystem system,
      String name,
      GatewayConfig.Listener config,
      Function<HttpRequest, CompletionStage<HttpResponse>> handler,
      EventLoops loops,
      EventLoops heads,
      LoopDispatchers pinned,
      boolean nettyFront) {
    HostPort address = config.hostPort();
    ConnectionGuard.Limits limits =
        new ConnectionGuard.Limits(config.headerTimeout(), config.maxConnections());
    // the listener's parser limits (414/431, JSON error bodies) over the system's settings
    ServerSettings settings = ListenerSettings.of(system.settings().config(), config.limits());
    // Pekko's own limit only delays accepts; it sits above ours so that ours refuses first.
    settings = settings.withMaxConnections(config.maxConnections() + 1024);
    ServerTls tls = null;
    if (config.tls() != null) {
      try {
        tls = ServerTls.load(config.tls());
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("listener " + name + ": " + e.getMessage(), e);
      }
    }
    long headerBytes = config.limits().maxHeaderBytes().bytes();
    Listening listening =
        new Listening(
            system,
            settings,
            tls,
            limits,
            handler,
            maxHeld(config),
            (int) Math.max(64, headerBytes - 16),
            nettyFront && loops != null);
    CompletionStage<Listening.Binding> bound;
    try {
      bound =
          loops == null
              ? listening.bind(address)
              : listening.bindNetty(address, loops, heads, pinned);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("listener " + name + ": " + e.getMessage(), e);
    }
    Listening.Binding binding = await(bound, name, address);
    TlsReloads reloads = new TlsReloads();
    Cancellable watch = tls == null ? null : watch(system, name, tls, reloads);
    String scheme = tls == null ? "http" : "https";
    return new ListenerServer(
        name,
        binding,
        url(scheme, address.host(), binding.localAddress().getPort()),
        limits,
        tls,
        watch,
        reloads,
        loops == null ? "pekko" : "netty",
        nettyFront && loops != null ? "netty" : "pekko");
  }

  /**
   * The most bytes of one header section {@link HeaderScan} holds: the request line and header
   * limits with room to spare; longer sections are refused by those limits anyway.
   */
  private static int maxHeld(GatewayConfig.Listener config) {
    long uri = config.limits().maxUriLength().bytes();
    long headers = config.limits().maxHeaderBytes().bytes();
    return (int) Math.min(Integer.MAX_VALUE, uri + 2 * headers + 8 * 1024);
  }

  private static Cancellable watch(
      ActorSystem system, String name, ServerTls tls, TlsReloads reloads) {
    Duration every = tls.config().reloadInterval();
    return system
        .scheduler()
        .scheduleWithFixedDelay(
            every,
            every,
            () -> {
              try {
                if (tls.reloadIfChanged()) {
                  reloads.success.increment();
                  system
                      .log()
                      .info("listener {}: TLS files changed, new handshakes use them", name);
                }
              } catch (IllegalArgumentException e) {
                reloads.failure.increment();
                system
                    .log()
                    .warning(
                        "listener {}: TLS files changed but cannot be used, keeping the old ones: {}",
                        name,
                        e.getMessage());
              }
            },
            system.dispatcher());
  }

  private static Listening.Binding await(
      CompletionStage<Listening.Binding> stage, String name, HostPort address) {
    try {
      return stage.toCompletableFuture().get(BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while binding listener " + name, e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException(
          "cannot bind listener " + name + " to " + address + ": " + cause.getMessage(), cause);
    }
  }

  private static String url(String scheme, String host, int port) {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    if ("0.0.0.0".equals(host)) {
      h = "127.0.0.1";
    }
    return scheme + "://" + h + ":" + port;
  }

  /** The listener's name. */
  public String name() {
    return name;
  }

  /** {@code http://host:port} or {@code https://host:port}. */
  public String url() {
    return url;
  }

  /** The socket transport: {@code netty} or {@code pekko} ({@code server.transport}). */
  public String transport() {
    return transport;
  }

  /** What parses and renders HTTP: {@code netty} or {@code pekko} ({@code server.front}). */
  public String front() {
    return front;
  }

  /** The listener's TLS side, or null for plain HTTP. */
  public ServerTls tls() {
    return tls;
  }

  /** Connections open now. */
  public int openConnections() {
    return limits.open.get();
  }

  /** Connections closed at once because {@code maxConnections} were open. */
  public long refusedConnections() {
    return limits.refused.sum();
  }

  /** Connections closed because a request's headers missed the header deadline. */
  public long headerTimeouts() {
    return limits.headerTimeouts.sum();
  }

  /** Requests refused by the byte-level checks, by check ({@code bare_lf}, ...). */
  public java.util.Map<String, Long> scanRefusals() {
    java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
    for (HeaderScan.Refusal r : HeaderScan.Refusal.values()) {
      m.put(r.label, limits.scanRefusals[r.ordinal()].sum());
    }
    return m;
  }

  /** TLS file reloads that took effect (0 for plain HTTP). */
  public long tlsReloads() {
    return tlsReloads.success.sum();
  }

  /** TLS file changes that could not be used (the old files stay in use). */
  public long tlsReloadFailures() {
    return tlsReloads.failure.sum();
  }

  /**
   * Stops accepting, lets in-flight requests finish for up to {@code drain}, then closes every
   * connection (Pekko's graceful termination); stops watching the TLS files.
   */
  public CompletionStage<?> terminate(Duration drain) {
    if (tlsWatch != null) {
      tlsWatch.cancel();
    }
    return binding.terminate(drain);
  }
}
