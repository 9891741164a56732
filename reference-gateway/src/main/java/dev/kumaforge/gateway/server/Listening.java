package dev.kumaforge.gateway.server;

import dev.kumaforge.gateway.config.HostPort;
import dev.kumaforge.gateway.tls.ServerTls;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.impl.engine.HttpConnectionIdleTimeoutBidi$;
import org.apache.pekko.http.impl.engine.server.GracefulTerminatorStage$;
import org.apache.pekko.http.impl.engine.server.HttpAttributes$;
import org.apache.pekko.http.impl.engine.server.MasterServerTerminator;
import org.apache.pekko.http.impl.engine.server.ServerTerminator;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.HttpExt;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.TLSProtocol;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import scala.Option;
import scala.concurrent.ExecutionContext;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * Binds a listener's socket and runs one connection stack per accepted connection, as Pekko's
 * {@code Http().newServerAt(..).bindFlow(..)} does (same idle timeout, TLS stage, server layer,
 * graceful terminator and cancellation delay), with {@link HeaderScan} between TLS and the parser
 * and {@link ConnectionGuard} between the server layer and the handler.
 *
 * <p>Pekko offers no public hook below its parser, so this uses three of its internal stages (idle
 * timeout, graceful terminator, master terminator); they are pinned by the Pekko HTTP version of
 * the build.
 */
final class Listening {
  /** A bound socket: its address and Pekko's graceful termination. */
  interface Binding {
    InetSocketAddress localAddress();

    /** Unbinds, lets in-flight requests finish for up to {@code drain}, then closes all. */
    CompletionStage<?> terminate(Duration drain);
  }

  private final ActorSystem system;
  private final HttpExt http;
  private final ServerSettings settings;
  private final org.apache.pekko.http.scaladsl.ConnectionContext context;
  private final boolean secure;
  private final ConnectionGuard.Limits limits;
  private final Function<HttpRequest, CompletionStage<HttpResponse>> handler;
  private final int maxHeld;
  private final int maxCredential;
  private final LoggingAdapter log;
  private final Materializer materializer;
  private final MasterServerTerminator master;

  Listening(
      ActorSystem system,
      org.apache.pekko.http.javadsl.settings.ServerSettings settings,
      ServerTls tls,
      ConnectionGuard.Limits limits,
      Function<HttpRequest, CompletionStage<HttpResponse>> handler,
      int maxHeld,
      int maxCredential) {
    this.system = system;
    this.http = (HttpExt) org.apache.pekko.http.scaladsl.Http.get(system);
    this.settings = (ServerSettings) settings;
    this.context =
        tls == null
            ? org.apache.pekko.http.scaladsl.ConnectionContext.noEncryption()
            : (org.apache.pekko.http.scaladsl.ConnectionContext)
                org.apache.pekko.http.javadsl.ConnectionContext.httpsServer(tls::newEngine);
    this.secure = tls != null;
    this.limits = limits;
    this.handler = handler;
    this.maxHeld = maxHeld;
    this.maxCredential = maxCredential;
    this.log = system.log();
    this.materializer = Materializer.matFromSystem(system);
    this.master = new MasterServerTerminator(log);
  }

  /** Binds {@code address}; completes once the socket is bound. */
  CompletionStage<Binding> bind(HostPort address) {
    Iterable<org.apache.pekko.io.Inet.SocketOption> options =
        CollectionConverters.asJava(settings.socketOptions());
    ExecutionContext ec = system.dispatcher();
    return Tcp.get(system)
        .bind(address.host(), address.port(), settings.backlog(), options, false, Optional.empty())
        .mapAsyncUnordered(settings.maxConnections(), this::serve)
        .to(Sink.ignore())
        .run(materializer)
        .thenApply(
            tcp ->
                new Binding() {
                  @Override
                  public InetSocketAddress localAddress() {
                    return tcp.localAddress();
                  }

                  @Override
                  public CompletionStage<?> terminate(Duration drain) {
                    scala.concurrent.duration.FiniteDuration deadline =
                        scala.concurrent.duration.FiniteDuration.apply(
                            drain.toMillis(), TimeUnit.MILLISECONDS);
                    return tcp.unbind()
                        .thenCompose(u -> FutureConverters.asJava(master.terminate(deadline, ec)));
                  }
                });
  }

  /** Runs one connection; completes when it ended. */
  private CompletionStage<Done> serve(Tcp.IncomingConnection incoming) {
    ExecutionContext ec = system.dispatcher();
    Flow<ByteString, ByteString, Pair<ServerTerminator, CompletionStage<Done>>> layer =
        layer(incoming.remoteAddress());
    Attributes attributes =
        settings.remoteAddressAttribute()
            ? HttpAttributes$.MODULE$.remoteAddress(incoming.remoteAddress())
            : Attributes.none();
    try {
      return layer
          .addAttributes(attributes)
          .joinMat(incoming.flow(), Keep.left())
          .mapMaterializedValue(
              p -> {
                ServerTerminator terminator = p.first();
                master.registerConnection(terminator, ec);
                p.second().whenComplete((d, e) -> master.removeConnection(terminator));
                return p.second();
              })
          .addAttributes(
              Attributes.apply(
                  new Attributes.CancellationStrategy(
                      Attributes.cancellationStrategyAfterDelay(
                          settings.streamCancellationDelay(),
                          Attributes.cancellationStrategyFailStage()))))
          .run(materializer)
          .exceptionally(e -> Done.done()); // connection errors never fail the binding
    } catch (RuntimeException e) {
      log.error(e, "could not run the connection stack for {}", incoming.remoteAddress());
      throw e;
    }
  }

  /** The stack of one connection, from the socket's bytes to the handler and back. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Flow<ByteString, ByteString, Pair<ServerTerminator, CompletionStage<Done>>> layer(
      InetSocketAddress remote) {
    HeaderScan.Verdict verdict = new HeaderScan.Verdict();
    BidiFlow<HttpResponse, HttpResponse, HttpRequest, HttpRequest, ServerTerminator> graceful =
        (BidiFlow) GracefulTerminatorStage$.MODULE$.apply(system, settings).asJava();
    BidiFlow<
            HttpResponse,
            TLSProtocol.SslTlsOutbound,
            TLSProtocol.SslTlsInbound,
            HttpRequest,
            NotUsed>
        server = (BidiFlow) http.serverLayer(settings, Option.apply(remote), log, secure).asJava();
    BidiFlow<
            TLSProtocol.SslTlsOutbound,
            TLSProtocol.SslTlsOutbound,
            TLSProtocol.SslTlsInbound,
            TLSProtocol.SslTlsInbound,
            NotUsed>
        scan =
            BidiFlow.fromFlows(
                Flow.<TLSProtocol.SslTlsOutbound>create(),
                Flow.fromGraph(new HeaderScan(maxHeld, maxCredential, verdict)));
    BidiFlow<TLSProtocol.SslTlsOutbound, ByteString, ByteString, TLSProtocol.SslTlsInbound, NotUsed>
        tls = http.sslTlsServerStage(context).asJava();
    BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> idle =
        HttpConnectionIdleTimeoutBidi$.MODULE$
            .apply(settings.timeouts().idleTimeout(), Option.empty())
            .asJava();
    BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, ServerTerminator> stack =
        graceful.atop(server).atop(scan).atop(tls).atop(idle);
    Flow<HttpRequest, HttpResponse, NotUsed> handling =
        BidiFlow.fromGraph(new ConnectionGuard(limits, verdict))
            .join(Flow.of(HttpRequest.class).mapAsync(1, handler));
    return handling.joinMat(stack, Keep.right()).watchTermination(Pair::create);
  }
}
