package dev.kumaforge.gateway.server;

import dev.kumaforge.gateway.config.HostPort;
import dev.kumaforge.gateway.tls.ServerTls;
import dev.kumaforge.gateway.upstream.netty.EventLoops;
import dev.kumaforge.gateway.upstream.netty.LoopDispatchers;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
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
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.TLSProtocol;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RunnableGraph;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
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
  private final ServerTls tls;
  private final ConnectionGuard.Limits limits;
  private final Function<HttpRequest, CompletionStage<HttpResponse>> handler;
  private final int maxHeld;
  private final int maxCredential;
  private final LoggingAdapter log;
  private final Materializer materializer;
  private final MasterServerTerminator master;
  private final BidiFlow<
          HttpResponse, TLSProtocol.SslTlsOutbound, TLSProtocol.SslTlsInbound, HttpRequest, NotUsed>
      serverLayer;
  private final Gates gates = new Gates();
  private final boolean nettyFront;

  /** The Netty front of a listener bound with it ({@link #bindNetty}), else null. */
  private volatile Front front;

  /**
   * Runs a completion stage's callback on the completing thread: a plain {@code whenComplete} on
   * Pekko's CompletionStage (Scala's FutureConverters) runs on the common pool instead, which is a
   * new thread per callback on a machine with 2 cores.
   */
  static final Executor DIRECT = Runnable::run;

  Listening(
      ActorSystem system,
      org.apache.pekko.http.javadsl.settings.ServerSettings settings,
      ServerTls tls,
      ConnectionGuard.Limits limits,
      Function<HttpRequest, CompletionStage<HttpResponse>> handler,
      int maxHeld,
      int maxCredential,
      boolean nettyFront) {
    this.system = system;
    this.nettyFront = nettyFront;
    this.http = (HttpExt) org.apache.pekko.http.scaladsl.Http.get(system);
    this.settings = (ServerSettings) settings;
    this.context =
        tls == null
            ? org.apache.pekko.http.scaladsl.ConnectionContext.noEncryption()
            : (org.apache.pekko.http.scaladsl.ConnectionContext)
                org.apache.pekko.http.javadsl.ConnectionContext.httpsServer(tls::newEngine);
    this.secure = tls != null;
    this.tls = tls;
    this.limits = limits;
    this.handler = handler;
    this.maxHeld = maxHeld;
    this.maxCredential = maxCredential;
    this.log = system.log();
    this.materializer = Materializer.matFromSystem(system);
    this.master = new MasterServerTerminator(log);
    this.serverLayer = serverLayer(http, this.settings, log, secure);
  }

  /**
   * Pekko's server layer (parser, renderer, request/response bookkeeping), built once per listener
   * as Pekko's own bind does: a blueprint is materialized once per connection, and each
   * materialization takes a shallow copy of the blueprint's primed header parser. Built per
   * connection, every accepted connection primed a header parser of its own (about 11 KB, and
   * {@code HttpHeaderParser} insertion work that showed in the profiles of new connections). The
   * remote address comes from each connection's attributes ({@link #serve}).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static BidiFlow<
          HttpResponse, TLSProtocol.SslTlsOutbound, TLSProtocol.SslTlsInbound, HttpRequest, NotUsed>
      serverLayer(HttpExt http, ServerSettings settings, LoggingAdapter log, boolean secure) {
    return (BidiFlow) http.serverLayer(settings, Option.empty(), log, secure).asJava();
  }

  /** Binds {@code address} with Pekko IO; completes once the socket is bound. */
  CompletionStage<Binding> bind(HostPort address) {
    Iterable<org.apache.pekko.io.Inet.SocketOption> options =
        CollectionConverters.asJava(settings.socketOptions());
    return Tcp.get(system)
        .bind(address.host(), address.port(), settings.backlog(), options, false, Optional.empty())
        .mapAsyncUnordered(settings.maxConnections(), this::serve)
        .to(Sink.ignore())
        .run(materializer)
        .thenApplyAsync(
            tcp ->
                new Binding() {
                  @Override
                  public InetSocketAddress localAddress() {
                    return tcp.localAddress();
                  }

                  @Override
                  public CompletionStage<?> terminate(Duration drain) {
                    return tcp.unbind().thenComposeAsync(u -> terminateConnections(drain), DIRECT);
                  }
                },
            DIRECT);
  }

  /** Runs one connection accepted by Pekko IO; completes when it ended. */
  private CompletionStage<Done> serve(Tcp.IncomingConnection incoming) {
    return serve(incoming.remoteAddress(), incoming.flow(), 0, null, null);
  }

  /**
   * Runs one connection's stack over {@code transport}; completes when it ended. {@code gatedAt}:
   * 0, or the accept's {@link System#nanoTime()} when {@link FirstHead} already did {@link
   * HeadGate}'s work (the stack then has no HeadGate). {@code decrypted}: the TLS session when the
   * transport's bytes were decrypted below it (Netty's {@link SslHandler}), else null. {@code
   * dispatcher}: the Pekko dispatcher that runs the stack, or null for the default one.
   */
  private CompletionStage<Done> serve(
      InetSocketAddress remote,
      Flow<ByteString, ByteString, ?> transport,
      long gatedAt,
      SSLSession decrypted,
      String dispatcher) {
    // the remote address for the server layer (built once per listener, see serverLayer), as
    // Pekko's own bind adds it per connection
    Attributes attributes = HttpAttributes$.MODULE$.remoteAddress(remote);
    Connection connection = new Connection();
    try {
      RunnableGraph<CompletionStage<Done>> stack =
          layer(connection, gatedAt, decrypted)
              .addAttributes(attributes)
              .joinMat(transport, Keep.left())
              .mapMaterializedValue(
                  done -> done.whenCompleteAsync((d, e) -> connection.ended(), DIRECT))
              .addAttributes(
                  Attributes.apply(
                      new Attributes.CancellationStrategy(
                          Attributes.cancellationStrategyAfterDelay(
                              settings.streamCancellationDelay(),
                              Attributes.cancellationStrategyFailStage()))));
      // the dispatcher as the materialization's own: one island, no empty one on the default
      // dispatcher around it
      return LoopDispatchers.materialize(stack, dispatcher, materializer)
          // connection errors never fail the binding
          .handleAsync((d, e) -> Done.done(), DIRECT);
    } catch (RuntimeException e) {
      log.error(e, "could not run the connection stack for {}", remote);
      throw e;
    }
  }

  /**
   * Binds {@code address} with a Netty server channel instead of Pekko IO (the same connection
   * stack per connection, over {@link ChannelFlow}); completes once the socket is bound. Each
   * connection's stack is materialized on the Pekko dispatcher (with the shared event loops that is
   * the connection's own loop, without a wake-up), not on the accepting loop.
   *
   * <p>With {@code heads} (plain HTTP only), the server channel and every accepted connection run
   * on {@code heads} until the connection's first request head has ended ({@link FirstHead}); the
   * connection is then moved to {@code loops} (deregistered, registered there) before its stack is
   * materialized. Bursts of accepts, trickling heads and header-deadline closes thus never queue in
   * front of the served connections' reads and writes; a TLS connection's handshake happens there
   * too (its SslHandler moves with it). Without {@code heads}, everything runs on {@code loops}.
   */
  CompletionStage<Binding> bindNetty(
      HostPort address, EventLoops loops, EventLoops heads, LoopDispatchers pinned) {
    ExecutionContext ec = system.dispatcher();
    NettySockets sockets = NettySockets.of(settings);
    Front netty = nettyFront ? front(pinned == null ? system.dispatcher() : null) : null;
    front = netty;
    EventLoopGroup accepting = heads == null ? loops.group() : heads.group();
    EventLoopGroup serving = heads == null ? null : loops.group();
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(accepting, accepting)
            .channel(loops.serverChannelType())
            .option(ChannelOption.SO_BACKLOG, settings.backlog())
            .option(ChannelOption.SO_REUSEADDR, sockets.reuseAddress)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.RECVBUF_ALLOCATOR, EventLoops.READS)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, false)
            .childOption(ChannelOption.TCP_NODELAY, sockets.noDelay)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    sockets.apply(ch);
                    ChannelFlow.Bridge bridge = new ChannelFlow.Bridge();
                    InetSocketAddress remote = (InetSocketAddress) ch.remoteAddress();
                    SslHandler ssl = secure ? sslHandler() : null;
                    if (ssl != null) {
                      ch.pipeline().addLast(ssl);
                    }
                    FirstHead[] first = new FirstHead[1];
                    first[0] =
                        new FirstHead(
                            limits,
                            gates,
                            maxHeld,
                            (ctx, head) -> {
                              Runnable attach =
                                  () -> {
                                    if (netty != null) {
                                      netty.install(
                                          ch,
                                          ctx,
                                          head,
                                          first[0].accepted(),
                                          ssl == null ? null : ssl.engine().getSession(),
                                          pinned == null ? null : pinned.idOf(ch.eventLoop()));
                                      return;
                                    }
                                    ch.pipeline().addLast(bridge);
                                    ctx.fireChannelRead(head);
                                    ctx.fireChannelReadComplete();
                                    long accepted = first[0].accepted();
                                    SSLSession session =
                                        ssl == null ? null : ssl.engine().getSession();
                                    String dispatcher =
                                        pinned == null ? null : pinned.idOf(ch.eventLoop());
                                    ec.execute(
                                        () ->
                                            start(
                                                ch, bridge, remote, accepted, session, dispatcher));
                                  };
                              if (serving == null) {
                                attach.run();
                              } else {
                                move(ch, serving, attach, first[0], head);
                              }
                            });
                    ch.pipeline().addLast(first[0]);
                  }
                });
    CompletableFuture<Binding> bound = new CompletableFuture<>();
    bootstrap
        .bind(address.host(), address.port())
        .addListener(
            (ChannelFuture f) -> {
              if (!f.isSuccess()) {
                bound.completeExceptionally(f.cause());
                return;
              }
              Channel server = f.channel();
              bound.complete(
                  new Binding() {
                    @Override
                    public InetSocketAddress localAddress() {
                      return (InetSocketAddress) server.localAddress();
                    }

                    @Override
                    public CompletionStage<?> terminate(Duration drain) {
                      CompletableFuture<Void> unbound = new CompletableFuture<>();
                      server.close().addListener(c -> unbound.complete(null));
                      return unbound.thenComposeAsync(u -> terminateConnections(drain), DIRECT);
                    }
                  });
            });
    return bound;
  }

  /**
   * The Netty front over this listener's settings: Pekko's parser limits (URI length, header count
   * and value length), idle timeout and default host, the handler run by {@code executor} (null: on
   * the connection's loop).
   */
  private Front front(Executor executor) {
    org.apache.pekko.http.scaladsl.settings.ParserSettings parser = settings.parserSettings();
    scala.concurrent.duration.Duration idle = settings.timeouts().idleTimeout();
    FrontRequests requests =
        new FrontRequests(
            parser.maxUriLength(),
            parser.maxHeaderCount(),
            parser.maxHeaderValueLength(),
            maxCredential,
            secure,
            settings.defaultHostHeader(),
            parser.uriParsingMode(),
            limits);
    return new Front(
        requests,
        handler,
        executor,
        materializer,
        limits,
        idle.isFinite() ? idle.toMillis() : 0,
        parser.maxUriLength(),
        maxHeld,
        log);
  }

  /**
   * Moves {@code ch} from its loop to one of {@code serving}, then runs {@code attach} there. When
   * the move fails the connection is closed, {@code head} released and its count given back (a
   * channel closed while it belongs to no loop never reports its close).
   */
  private static void move(
      Channel ch, EventLoopGroup serving, Runnable attach, FirstHead first, ByteBuf head) {
    ch.deregister()
        .addListener(
            (ChannelFuture d) -> {
              ChannelFuture registered =
                  d.isSuccess() ? serving.register(ch) : ch.newFailedFuture(d.cause());
              registered.addListener(
                  (ChannelFuture r) -> {
                    if (r.isSuccess() && ch.isOpen()) {
                      attach.run();
                    } else {
                      head.release();
                      first.end();
                      ch.close();
                    }
                  });
            });
  }

  /**
   * A TLS listener's handler on the Netty transport: the handshake and the records are BoringSSL's
   * (or the JDK's) in the pipeline, so the first head is gated by {@link FirstHead} as on a plain
   * listener (on the head loop, its deadline running from the accept through the handshake; the
   * handler's own handshake timeout is off) and no part of Pekko is materialized for a connection
   * that never completes a handshake and a head.
   */
  private SslHandler sslHandler() {
    SslHandler ssl = new SslHandler(tls.newEngine());
    ssl.setHandshakeTimeoutMillis(0);
    return ssl;
  }

  /** Materializes the stack of a Netty connection (off its loop, unless the loops are shared). */
  private void start(
      Channel ch,
      ChannelFlow.Bridge bridge,
      InetSocketAddress remote,
      long gated,
      SSLSession decrypted,
      String dispatcher) {
    try {
      serve(remote, Flow.fromGraph(new ChannelFlow(ch, bridge)), gated, decrypted, dispatcher);
    } catch (RuntimeException e) {
      ch.close();
    }
  }

  /**
   * After the unbind: closes the connections still in their first head, drains the rest, then waits
   * (up to the same deadline) until every connection has closed. Pekko's termination completes once
   * each in-flight response's head is out, while a streamed body may still be flowing from the
   * upstream: whoever closes the upstream connections next must wait for it.
   */
  private CompletionStage<?> terminateConnections(Duration drain) {
    long until = System.nanoTime() + drain.toNanos();
    Front netty = front;
    if (netty != null) {
      gates.closeAll();
      netty.drain();
      return allClosed(until).thenRunAsync(netty::closeAll, DIRECT);
    }
    scala.concurrent.duration.FiniteDuration deadline =
        scala.concurrent.duration.FiniteDuration.apply(drain.toMillis(), TimeUnit.MILLISECONDS);
    gates.closeAll();
    return FutureConverters.asJava(master.terminate(deadline, system.dispatcher()))
        .thenComposeAsync(t -> allClosed(until), DIRECT);
  }

  /** Completes when the listener has no open connection left, or at {@code until}. */
  private CompletionStage<Void> allClosed(long until) {
    CompletableFuture<Void> closed = new CompletableFuture<>();
    Runnable check =
        new Runnable() {
          @Override
          public void run() {
            if (limits.open.get() <= 0 || System.nanoTime() - until >= 0) {
              closed.complete(null);
            } else {
              system.scheduler().scheduleOnce(Duration.ofMillis(5), this, system.dispatcher());
            }
          }
        };
    check.run();
    return closed;
  }

  /**
   * The stack of one connection, from the socket's bytes to the handler and back; everything above
   * {@link HeadGate} is materialized when the first request head got through it.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Flow<ByteString, ByteString, CompletionStage<Done>> layer(
      Connection connection, long gatedAt, SSLSession decrypted) {
    HeaderScan.Verdict verdict = new HeaderScan.Verdict();
    Flow<TLSProtocol.SslTlsInbound, TLSProtocol.SslTlsInbound, NotUsed> scan =
        Flow.fromGraph(new HeaderScan(maxHeld, maxCredential, verdict));
    if (gatedAt == 0) {
      scan = scan.via(new HeadGate(limits, verdict, gates));
    } else {
      verdict.accepted = gatedAt;
    }
    Flow<TLSProtocol.SslTlsInbound, TLSProtocol.SslTlsOutbound, NotUsed> upper =
        scan
            // materialized on the first element, like Flow.lazyFlow, but with one nested
            // sub-interpreter instead of its two (flatMapPrefix, then futureFlow) for every element
            // of the connection to cross; no difference measurable in SlowlorisLoadIT, though
            .flatMapPrefix(
            1,
            first -> {
              Iterator<TLSProtocol.SslTlsInbound> it = first.iterator();
              if (!it.hasNext()) {
                // closed before anything got through: nothing of HTTP is materialized
                return Flow.fromSinkAndSource(
                    Sink.<TLSProtocol.SslTlsInbound>ignore(),
                    Source.<TLSProtocol.SslTlsOutbound>empty());
              }
              return Flow.<TLSProtocol.SslTlsInbound>create()
                  .prepend(Source.single(it.next()))
                  .via(httpPart(verdict, connection));
            });
    BidiFlow<TLSProtocol.SslTlsOutbound, ByteString, ByteString, TLSProtocol.SslTlsInbound, NotUsed>
        tls = decrypted != null ? decrypted(decrypted) : http.sslTlsServerStage(context).asJava();
    BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> idle =
        HttpConnectionIdleTimeoutBidi$.MODULE$
            .apply(settings.timeouts().idleTimeout(), Option.empty())
            .asJava();
    return upper.join(tls.atop(idle)).watchTermination(Keep.right());
  }

  /**
   * In place of Pekko's TLS stage when the bytes were decrypted below the stack: what Pekko's
   * {@code TLSPlacebo} does for a plain connection, with the connection's real session, so that the
   * server layer puts it on each request (the mTLS client identity) as its own TLS stage would.
   */
  private static BidiFlow<
          TLSProtocol.SslTlsOutbound, ByteString, ByteString, TLSProtocol.SslTlsInbound, NotUsed>
      decrypted(SSLSession session) {
    return BidiFlow.fromFlows(
        Flow.<TLSProtocol.SslTlsOutbound>create()
            .filter(o -> o instanceof TLSProtocol.SendBytes)
            .map(o -> ((TLSProtocol.SendBytes) o).bytes()),
        Flow.<ByteString>create()
            .map(b -> (TLSProtocol.SslTlsInbound) new TLSProtocol.SessionBytes(session, b)));
  }

  /**
   * The HTTP part of one connection's stack (Pekko's server layer, its graceful terminator, {@link
   * ConnectionGuard} and the handler), registered with the graceful termination.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Flow<TLSProtocol.SslTlsInbound, TLSProtocol.SslTlsOutbound, NotUsed> httpPart(
      HeaderScan.Verdict verdict, Connection connection) {
    BidiFlow<HttpResponse, HttpResponse, HttpRequest, HttpRequest, ServerTerminator> graceful =
        (BidiFlow) GracefulTerminatorStage$.MODULE$.apply(system, settings).asJava();
    Flow<HttpRequest, HttpResponse, NotUsed> handling =
        BidiFlow.fromGraph(new ConnectionGuard(limits, verdict))
            .join(Flow.of(HttpRequest.class).mapAsync(1, handler));
    return handling
        .joinMat(graceful.atop(serverLayer), Keep.right())
        .mapMaterializedValue(
            terminator -> {
              connection.materialized(terminator);
              return NotUsed.getInstance();
            });
  }

  /** One connection's registration with the graceful termination, once its HTTP part exists. */
  private final class Connection {
    private volatile ServerTerminator terminator;
    private volatile boolean ended;

    void materialized(ServerTerminator t) {
      terminator = t;
      master.registerConnection(t, system.dispatcher());
      if (ended) {
        master.removeConnection(t);
      }
    }

    void ended() {
      ended = true;
      ServerTerminator t = terminator;
      if (t != null) {
        master.removeConnection(t);
      }
    }
  }

  /**
   * The listener's connections still waiting for their first request head: graceful termination
   * closes them at once (no request is in flight on them).
   */
  static final class Gates {
    private final Set<Runnable> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    /** Adds a gate's close action (thread-safe); false when the listener is terminating already. */
    boolean add(Runnable close) {
      if (closing) {
        return false;
      }
      waiting.add(close);
      if (closing) {
        waiting.remove(close);
        return false;
      }
      return true;
    }

    void remove(Runnable close) {
      waiting.remove(close);
    }

    void closeAll() {
      closing = true;
      for (Runnable close : waiting) {
        close.run();
      }
    }
  }
}
