package dev.kumaforge.gateway.server;

import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.gateway.config.HostPort;
import dev.kumaforge.gateway.harden.ListenerSettings;
import dev.kumaforge.gateway.tls.ServerTls;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * One bound listener (public or admin): plain HTTP or TLS/mTLS, with the header deadline and the
 * connection limit of {@link ConnectionGuard} in front of the handler, and TLS files re-read every
 * {@code tls.reloadInterval}.
 *
 * <pre>
 *   Tcp -> TLS (an SSLEngine per connection from ServerTls: BoringSSL or JDK) -> Pekko HTTP server layer
 *       -> graceful terminator -> ConnectionGuard -> handler (mapAsync 1)
 * </pre>
 *
 * <p>Pekko HTTP builds TCP, TLS and the server layer and keeps {@link ServerBinding#terminate}
 * (graceful drain); the guard runs inside the per-connection handler flow, where requests arrive
 * once their headers are parsed.
 */
public final class ListenerServer {
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(15);

  private final String name;
  private final ServerBinding binding;
  private final String url;
  private final ConnectionGuard.Limits limits;
  private final ServerTls tls;
  private final Cancellable tlsWatch;

  private ListenerServer(
      String name,
      ServerBinding binding,
      String url,
      ConnectionGuard.Limits limits,
      ServerTls tls,
      Cancellable tlsWatch) {
    this.name = name;
    this.binding = binding;
    this.url = url;
    this.limits = limits;
    this.tls = tls;
    this.tlsWatch = tlsWatch;
  }

  /**
   * Binds listener {@code name} and waits for the socket.
   *
   * @throws IllegalStateException naming the listener when it cannot bind or its TLS files are
   *     unusable
   */
  public static ListenerServer bind(
      ActorSystem system,
      String name,
      GatewayConfig.Listener config,
      Function<HttpRequest, CompletionStage<HttpResponse>> handler) {
    HostPort address = config.hostPort();
    ConnectionGuard.Limits limits =
        new ConnectionGuard.Limits(config.headerTimeout(), config.maxConnections());
    // the listener's parser limits (414/431, JSON error bodies) over the system's settings
    ServerSettings settings = ListenerSettings.of(system.settings().config(), config.limits());
    // Pekko's own limit only delays accepts; it sits above ours so that ours refuses first.
    settings = settings.withMaxConnections(config.maxConnections() + 1024);
    ServerBuilder builder =
        Http.get(system).newServerAt(address.host(), address.port()).withSettings(settings);
    ServerTls tls = null;
    if (config.tls() != null) {
      try {
        tls = ServerTls.load(config.tls());
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("listener " + name + ": " + e.getMessage(), e);
      }
      builder = builder.enableHttps(ConnectionContext.httpsServer(tls::newEngine));
    }
    Flow<HttpRequest, HttpResponse, ?> perConnection =
        BidiFlow.fromGraph(new ConnectionGuard(limits))
            .join(Flow.of(HttpRequest.class).mapAsync(1, handler));
    ServerBinding binding = await(builder.bindFlow(perConnection), name, address);
    Cancellable watch = tls == null ? null : watch(system, name, tls);
    String scheme = tls == null ? "http" : "https";
    return new ListenerServer(
        name, binding, url(scheme, address.host(), binding), limits, tls, watch);
  }

  private static Cancellable watch(ActorSystem system, String name, ServerTls tls) {
    Duration every = tls.config().reloadInterval();
    return system
        .scheduler()
        .scheduleWithFixedDelay(
            every,
            every,
            () -> {
              try {
                if (tls.reloadIfChanged()) {
                  system
                      .log()
                      .info("listener {}: TLS files changed, new handshakes use them", name);
                }
              } catch (IllegalArgumentException e) {
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

  private static ServerBinding await(
      CompletionStage<ServerBinding> stage, String name, HostPort address) {
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

  private static String url(String scheme, String host, ServerBinding binding) {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    if ("0.0.0.0".equals(host)) {
      h = "127.0.0.1";
    }
    return scheme + "://" + h + ":" + binding.localAddress().getPort();
  }

  /** The listener's name. */
  public String name() {
    return name;
  }

  /** {@code http://host:port} or {@code https://host:port}. */
  public String url() {
    return url;
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
