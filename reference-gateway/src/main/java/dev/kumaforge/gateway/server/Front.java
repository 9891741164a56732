package dev.kumaforge.gateway.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLSession;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.Materializer;

/**
 * A listener's Netty HTTP/1.1 front ({@code server.front: netty}): what {@link Listening} puts in a
 * connection's pipeline once {@link FirstHead} let its first head through, in place of Pekko's
 * server layer; and the listener's open connections, for the graceful drain.
 */
final class Front {
  final FrontRequests requests;
  final Materializer materializer;
  final ConnectionGuard.Limits limits;
  final long headerTimeoutNanos;
  final LoggingAdapter log;
  private final Function<HttpRequest, CompletionStage<HttpResponse>> handler;
  private final Executor executor;
  private final long idleMillis;
  private final HttpDecoderConfig decoding;
  private final Set<FrontConnection> open = ConcurrentHashMap.newKeySet();

  /**
   * @param executor runs the handler; null: on the connection's loop
   * @param idleMillis the idle timeout, 0 for none
   * @param maxHeaderSection the most bytes of one request's header section (431 above)
   */
  Front(
      FrontRequests requests,
      Function<HttpRequest, CompletionStage<HttpResponse>> handler,
      Executor executor,
      Materializer materializer,
      ConnectionGuard.Limits limits,
      long idleMillis,
      int maxUri,
      int maxHeaderSection,
      LoggingAdapter log) {
    this.requests = requests;
    this.handler = handler;
    this.executor = executor;
    this.materializer = materializer;
    this.limits = limits;
    this.headerTimeoutNanos = limits.headerTimeout.toNanos();
    this.idleMillis = idleMillis;
    this.log = log;
    this.decoding =
        new HttpDecoderConfig()
            .setStrictLineParsing(true)
            .setAllowDuplicateContentLengths(false)
            // the request line: method, URI and version (the URI's own limit is checked apart)
            .setMaxInitialLineLength(maxUri + 64)
            .setMaxHeaderSize(maxHeaderSection)
            .setMaxChunkSize(64 * 1024);
  }

  /**
   * Puts the front into {@code ch}'s pipeline after {@code first} (FirstHead's context) and passes
   * {@code head}, the bytes read so far, on to it. On the channel's loop.
   *
   * @param accepted {@link System#nanoTime()} of the accept (the first head's deadline)
   * @param session the TLS session, or null
   * @param dispatcher the Pekko dispatcher of the channel's loop (the response bodies' stages), or
   *     null for the default one
   */
  void install(
      Channel ch,
      ChannelHandlerContext first,
      ByteBuf head,
      long accepted,
      SSLSession session,
      String dispatcher) {
    FrontConnection c =
        new FrontConnection(
            this, (InetSocketAddress) ch.remoteAddress(), session, dispatcher, decoding, accepted);
    ChannelPipeline p = ch.pipeline();
    if (idleMillis > 0) {
      p.addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
    }
    p.addLast(c.watch())
        .addLast(c.decoder())
        .addLast(new HttpResponseEncoder())
        .addLast(new HttpServerExpectContinueHandler())
        .addLast(c);
    first.fireChannelRead(head);
    first.fireChannelReadComplete();
  }

  /** Calls the handler with {@code request} and gives its answer to {@code answered}. */
  void handle(HttpRequest request, Consumer<CompletionStage<HttpResponse>> answered) {
    if (executor == null) {
      answered.accept(call(request));
    } else {
      executor.execute(() -> answered.accept(call(request)));
    }
  }

  private CompletionStage<HttpResponse> call(HttpRequest request) {
    try {
      return handler.apply(request);
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  void opened(FrontConnection c) {
    open.add(c);
  }

  void closed(FrontConnection c) {
    open.remove(c);
  }

  /** Idle connections close now, busy ones after their response. */
  void drain() {
    for (FrontConnection c : open) {
      c.drain();
    }
  }

  /** Closes every connection (the drain's deadline passed). */
  void closeAll() {
    for (FrontConnection c : open) {
      c.close();
    }
  }
}
