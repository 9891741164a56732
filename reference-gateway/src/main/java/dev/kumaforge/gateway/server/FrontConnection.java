package dev.kumaforge.gateway.server;

import dev.kumaforge.gateway.internal.ErrorResponses;
import dev.kumaforge.gateway.upstream.netty.ChannelSource;
import dev.kumaforge.gateway.upstream.netty.LoopDispatchers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.net.ssl.SSLSession;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.scaladsl.model.IllegalUriException;
import org.apache.pekko.http.scaladsl.model.RequestEntity;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * One connection of the Netty front: Netty's HTTP/1.1 codec in place of Pekko's server layer, with
 * the same handler and request/response models. Everything runs on the channel's event loop except
 * the handler (on the loop when the listener's loops are pinned, else on the Pekko dispatcher) and
 * the stages of the bodies.
 *
 * <pre>
 *   [SslHandler] -> FirstHead -> [idle timeout] -> bytes seen (header deadline) -> HttpRequestDecoder
 *       (strict lines, limits) -> HttpResponseEncoder -> 100-continue -> FrontConnection -> handler
 * </pre>
 *
 * <p>A request whose body arrived with its head (in the same read) gets a strict entity; otherwise
 * the body is a {@link ChannelSource} that reads (autoRead off) only on demand. One request at a
 * time: pipelined ones wait, in order, and nothing more is read meanwhile (the pipelining limit is
 * 1). A response is written whole when strict, else chunk by chunk through a {@link ResponseSink}
 * that waits for the channel's writability. A connection closes after a response when the request
 * or the response asked for it, the request was HTTP/1.0 without keep-alive, the body was delimited
 * by the close, or the listener is draining. The rest of a request body nobody reads (an upstream
 * that answered first) is read and dropped within the header timeout, and the connection serves on
 * (as nginx discards it; Pekko's front holds such an answer until the body ended). A request head
 * (after the first, which {@link FirstHead} gates) must arrive within the header timeout of its
 * first byte; an idle keep-alive connection is left to the idle timeout.
 */
final class FrontConnection extends ChannelDuplexHandler {
  private final Front front;
  private final InetSocketAddress remote;
  private final SSLSession session;
  private final String dispatcher;
  private final Decoder decoder;
  private ChannelHandlerContext ctx;

  /** Requests (and their bodies) read behind the one in flight: pipelined. */
  private final ArrayDeque<HttpObject> backlog = new ArrayDeque<>(2);

  /** A request read but not handed on yet, and its body so far (both within one read). */
  private io.netty.handler.codec.http.HttpRequest head;

  private List<ByteBuf> collected;

  /** The streamed body of the request in flight, until it ended. */
  private BodyFeed feed;

  /**
   * The rest of a request body nobody reads (its response came first, or the handler cancelled it):
   * read and dropped, as nginx discards it, so that the connection serves on; within the header
   * timeout, else the connection closes.
   */
  private boolean discarding;

  /** The request in flight: handed on, its response not finished. */
  private Answer current;

  private boolean closeAfter;
  private boolean draining;

  /** Closed or closing: nothing more is read or answered. */
  private boolean done;

  /** {@link System#nanoTime()} of the first byte of a head not complete yet, 0 when none. */
  private long headStart;

  private boolean timerPending;

  FrontConnection(
      Front front,
      InetSocketAddress remote,
      SSLSession session,
      String dispatcher,
      HttpDecoderConfig decoding,
      long accepted) {
    this.front = front;
    this.remote = remote;
    this.session = session;
    this.dispatcher = dispatcher;
    this.decoder = new Decoder(decoding);
    this.headStart = accepted; // the first head's deadline runs from the accept
  }

  /** The decoder of this connection, to put in the pipeline before {@link #watch()}'s successor. */
  HttpRequestDecoder decoder() {
    return decoder;
  }

  /** The handler that sees the bytes before the decoder: the header deadline's first byte. */
  ChannelInboundHandlerAdapter watch() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext c, Object msg) {
        bytesIn();
        c.fireChannelRead(msg);
      }
    };
  }

  /** Netty's request decoder, telling whether it holds the start of a head. */
  private static final class Decoder extends HttpRequestDecoder {
    Decoder(HttpDecoderConfig config) {
      super(config);
    }

    boolean holdsBytes() {
      return actualReadableBytes() > 0;
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    front.opened(this);
    arm();
  }

  // ---- requests ----

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (done || !(msg instanceof HttpObject o)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    process(o);
  }

  private void process(HttpObject o) {
    if (head != null) {
      collect(o);
    } else if (feed != null) {
      stream(o);
    } else if (discarding) {
      ReferenceCountUtil.release(o);
      if (o instanceof LastHttpContent) {
        discarding = false;
        headStart = 0;
        if (current == null) {
          next();
        }
      }
    } else if (current != null) {
      backlog.add(o);
    } else if (o instanceof io.netty.handler.codec.http.HttpRequest r) {
      onHead(r);
    } else {
      ReferenceCountUtil.release(o); // the rest of a request refused by the 100-continue handler
    }
  }

  private void onHead(io.netty.handler.codec.http.HttpRequest r) {
    headStart = 0;
    if (r.decoderResult().isFailure()) {
      refuse(r, front.requests.decodeFailure(r.decoderResult().cause()));
      ReferenceCountUtil.release(r); // the decoder's stand-in for a bad head is a full request
      return;
    }
    HttpResponse refusal = front.requests.check(r);
    if (refusal != null) {
      refuse(r, refusal);
      return;
    }
    head = r;
    collected = null;
  }

  private void collect(HttpObject o) {
    if (!(o instanceof HttpContent c)) {
      ReferenceCountUtil.release(o);
      return;
    }
    if (c.decoderResult().isFailure()) {
      Throwable cause = c.decoderResult().cause();
      c.release();
      io.netty.handler.codec.http.HttpRequest r = head;
      dropCollected();
      refuse(r, front.requests.bodyFailure(cause));
      return;
    }
    if (c.content().isReadable()) {
      if (collected == null) {
        collected = new ArrayList<>(2);
      }
      collected.add(c.content());
    } else {
      c.release();
    }
    if (o instanceof LastHttpContent) {
      dispatchStrict();
    }
  }

  private void dropCollected() {
    head = null;
    if (collected != null) {
      collected.forEach(ByteBuf::release);
      collected = null;
    }
  }

  private ByteString collectedBytes() {
    if (collected == null) {
      return ByteString.emptyByteString();
    }
    int size = 0;
    for (ByteBuf b : collected) {
      size += b.readableBytes();
    }
    byte[] bytes = new byte[size];
    int at = 0;
    for (ByteBuf b : collected) {
      int n = b.readableBytes();
      b.getBytes(b.readerIndex(), bytes, at, n);
      at += n;
      b.release();
    }
    collected = null;
    return ByteString.fromArrayUnsafe(bytes);
  }

  /** The head's whole body came with it: a strict entity. */
  private void dispatchStrict() {
    io.netty.handler.codec.http.HttpRequest h = head;
    head = null;
    ByteString data = collectedBytes();
    boolean typed = h.headers().contains(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_TYPE);
    RequestEntity entity;
    if (data.isEmpty() && !typed) {
      entity = (RequestEntity) HttpEntities.EMPTY;
    } else {
      entity = (RequestEntity) HttpEntities.create(FrontRequests.contentType(h), data);
    }
    dispatch(h, entity);
  }

  /** The head's body goes on reading after its first read: a streamed entity. */
  private void dispatchStreamed() {
    io.netty.handler.codec.http.HttpRequest h = head;
    head = null;
    BodyFeed f = new BodyFeed();
    ByteString first = collectedBytes();
    if (!first.isEmpty()) {
      f.emit(first);
    }
    feed = f;
    ContentType ct = FrontRequests.contentType(h);
    Source<ByteString, ?> data = Source.fromGraph(new ChannelSource(f));
    long length = HttpUtil.getContentLength(h, -1L);
    HttpEntity entity =
        length >= 0 ? HttpEntities.create(ct, length, data) : HttpEntities.createChunked(ct, data);
    dispatch(h, (RequestEntity) entity);
  }

  private void stream(HttpObject o) {
    if (!(o instanceof HttpContent c)) {
      ReferenceCountUtil.release(o);
      return;
    }
    BodyFeed f = feed;
    if (c.decoderResult().isFailure()) {
      Throwable cause = c.decoderResult().cause();
      c.release();
      feed = null;
      closeAfter = true; // the framing is lost: nothing after it can be read
      done = current == null;
      f.emit(new IOException("the request body is malformed: " + cause.getMessage(), cause));
      if (done) {
        ctx.close();
      }
      return;
    }
    if (c.content().isReadable()) {
      f.demanded = false;
      f.emit(ChannelSource.copy(c.content()));
    }
    c.release();
    if (o instanceof LastHttpContent) {
      feed = null;
      f.emit(ChannelSource.END);
    }
  }

  private void dispatch(io.netty.handler.codec.http.HttpRequest h, RequestEntity entity) {
    HttpRequest request;
    try {
      request = front.requests.toPekko(h, entity, remote, session);
    } catch (IllegalUriException e) {
      discardBody(entity);
      refuse(h, FrontRequests.refuse(400, "bad_request", e.info().summary()));
      return;
    } catch (IllegalArgumentException e) {
      discardBody(entity);
      refuse(h, FrontRequests.refuse(400, "bad_request", "Illegal request: " + e.getMessage()));
      return;
    }
    Answer a = new Answer(h);
    current = a;
    closeAfter |= !HttpUtil.isKeepAlive(h);
    front.handle(
        request,
        stage ->
            stage.whenCompleteAsync(
                (response, failure) -> onLoop(() -> respond(a, response, failure)),
                Listening.DIRECT));
  }

  private void discardBody(RequestEntity entity) {
    if (!(entity instanceof HttpEntity.Strict)) {
      ((HttpEntity) entity).getDataBytes().runWith(Sink.cancelled(), front.materializer);
    }
  }

  /** Answers {@code r} with {@code refusal} and closes the connection. */
  private void refuse(io.netty.handler.codec.http.HttpRequest r, HttpResponse refusal) {
    closeAfter = true;
    Answer a = new Answer(r);
    current = a;
    respond(a, refusal, null);
  }

  // ---- responses ----

  private void respond(Answer a, HttpResponse response, Throwable failure) {
    if (a != current || done) {
      discard(response);
      return;
    }
    if (failure != null) {
      front.log.error(failure, "the handler failed; answering 500");
      response =
          ErrorResponses.of(
              500, "internal_error", "the gateway failed to handle the request", List.of());
      closeAfter = true;
    }
    int code = response.status().intValue();
    boolean close = closeAfter || draining || FrontResponses.asksToClose(response);
    ResponseEntity entity = response.entity();
    if (FrontResponses.bodiless(code, a.headRequest)) {
      long length = -1;
      if (a.headRequest && code >= 200 && code != 204 && code != 304) {
        OptionalLong known = entity.getContentLengthOption();
        length = known.isPresent() ? known.getAsLong() : -1;
      }
      discard(response);
      finish(
          close,
          FrontResponses.head(
              response, length, false, close, a.keepAlive10, Unpooled.EMPTY_BUFFER));
      return;
    }
    if (entity instanceof HttpEntity.Strict strict) {
      ByteString data = strict.getData();
      finish(
          close,
          FrontResponses.head(
              response, data.size(), false, close, a.keepAlive10, FrontResponses.buffer(data)));
      return;
    }
    OptionalLong known = entity.getContentLengthOption();
    long length = known.isPresent() ? known.getAsLong() : -1;
    boolean chunked = length < 0 && a.version == HttpVersion.HTTP_1_1;
    if (length < 0 && !chunked) {
      close = true; // delimited by the close
    }
    closeAfter = close;
    ctx.writeAndFlush(FrontResponses.head(response, length, chunked, close, a.keepAlive10, null));
    a.stream(entity.getDataBytes());
  }

  private void discard(HttpResponse response) {
    if (response != null && !(response.entity() instanceof HttpEntity.Strict)) {
      response.entity().getDataBytes().runWith(Sink.cancelled(), front.materializer);
    }
  }

  /** Writes the last part of the current response; then the next request, or the close. */
  private void finish(boolean close, Object last) {
    current = null;
    ChannelFuture written = ctx.writeAndFlush(last);
    if (close || draining) {
      done = true;
      written.addListener(ChannelFutureListener.CLOSE);
      return;
    }
    BodyFeed f = feed;
    if (f != null) {
      // answered before its body ended (an upstream that answers early): the rest is dropped
      feed = null;
      discarding = true;
      f.emit(new IOException("the response ended before the request body"));
    }
    next();
  }

  /** Takes the next request: pipelined ones first, else reads. */
  private void next() {
    if (discarding && !done) {
      if (headStart == 0) {
        headStart = System.nanoTime(); // the rest of the body must come within the header timeout
        arm();
      }
      ctx.read();
      return;
    }
    while (current == null && !done && !backlog.isEmpty()) {
      process(backlog.poll());
    }
    if (done || current != null) {
      return;
    }
    if (head != null) {
      dispatchStreamed(); // a pipelined head whose body is still coming
    } else if (decoder.holdsBytes() && headStart == 0) {
      headStart = System.nanoTime(); // the start of the next head came with the last request
      arm();
    }
    read();
  }

  private void read() {
    if (done) {
      return;
    }
    if (feed != null) {
      if (feed.demanded) {
        ctx.read();
      }
    } else if (discarding || (current == null && head == null)) {
      ctx.read();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (head != null && !done) {
      dispatchStreamed();
    }
    read();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Answer a = current;
    if (a != null) {
      a.writabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  // ---- deadlines, drain, close ----

  private void bytesIn() {
    if (headStart == 0 && current == null && head == null && feed == null && !done) {
      headStart = System.nanoTime();
      arm();
    }
  }

  /** One timer at a time: a head read in time costs a clock read, not a scheduled task. */
  private void arm() {
    if (!timerPending && headStart != 0 && !done) {
      timerPending = true;
      long left = headStart + front.headerTimeoutNanos - System.nanoTime();
      ctx.executor().schedule(this::onDeadline, Math.max(0, left), TimeUnit.NANOSECONDS);
    }
  }

  private void onDeadline() {
    timerPending = false;
    if (done || headStart == 0) {
      return;
    }
    if (headStart + front.headerTimeoutNanos - System.nanoTime() > 0) {
      arm();
      return;
    }
    if (!discarding) {
      front.limits.headerTimeouts.increment();
    }
    close();
  }

  /** The listener drains: an idle connection closes now, a busy one after its response. */
  void drain() {
    onLoop(
        () -> {
          draining = true;
          if (current == null && head == null && feed == null) {
            close();
          }
        });
  }

  void close() {
    onLoop(
        () -> {
          done = true;
          ctx.close();
        });
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      close(); // the idle timeout, as Pekko's: no bytes either way for that long
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (front.log.isDebugEnabled()) {
      front.log.debug("connection from {} failed: {}", remote, cause.toString());
    }
    close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    done = true;
    front.closed(this);
    IOException closed = new IOException("the client closed the connection");
    BodyFeed f = feed;
    feed = null;
    if (f != null) {
      f.emit(closed);
    }
    dropCollected();
    HttpObject o;
    while ((o = backlog.poll()) != null) {
      ReferenceCountUtil.release(o);
    }
    Answer a = current;
    current = null;
    if (a != null) {
      a.aborted(closed);
    }
    ctx.fireChannelInactive();
  }

  private void onLoop(Runnable r) {
    if (ctx.executor().inEventLoop()) {
      r.run();
    } else {
      ctx.executor().execute(r);
    }
  }

  /** A streamed request body, read on demand. */
  private final class BodyFeed extends ChannelSource.LoopFeed {
    /** The source asked for more since the last chunk. */
    boolean demanded;

    @Override
    protected void onLoop(Runnable task) {
      FrontConnection.this.onLoop(task);
    }

    @Override
    public void demand() {
      onLoop(
          () -> {
            if (feed == this && !done) {
              demanded = true;
              ctx.read();
            }
          });
    }

    @Override
    public void cancel() {
      onLoop(
          () -> {
            if (feed == this) {
              // nobody reads the rest: dropped as it comes (see discarding)
              feed = null;
              discarding = true;
              read();
            }
          });
    }
  }

  /** The response to one request. */
  private final class Answer implements ResponseSink.Out {
    final boolean headRequest;
    final HttpVersion version;
    final boolean keepAlive10;
    private final AtomicBoolean waiting = new AtomicBoolean();
    private volatile Runnable writable;
    private volatile Consumer<Throwable> abort;

    Answer(io.netty.handler.codec.http.HttpRequest r) {
      this.headRequest = r != null && HttpMethod.HEAD.equals(r.method());
      HttpVersion v = r == null ? HttpVersion.HTTP_1_1 : r.protocolVersion();
      this.version = v.minorVersion() == 0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
      this.keepAlive10 = version == HttpVersion.HTTP_1_0 && r != null && HttpUtil.isKeepAlive(r);
    }

    void stream(Source<ByteString, ?> data) {
      LoopDispatchers.materialize(data.to(new ResponseSink(this)), dispatcher, front.materializer);
    }

    @Override
    public void attach(Runnable w, Consumer<Throwable> a) {
      writable = w;
      abort = a;
      if (!ctx.channel().isActive()) {
        a.accept(new IOException("the client closed the connection"));
      }
    }

    @Override
    public boolean write(ByteString chunk) {
      Channel ch = ctx.channel();
      if (chunk.isEmpty()) {
        return true;
      }
      ch.writeAndFlush(new DefaultHttpContent(FrontResponses.buffer(chunk)));
      if (ch.isWritable()) {
        return true;
      }
      waiting.set(true);
      if (!ch.isActive()) {
        aborted(new IOException("the client closed the connection"));
        return false;
      }
      // writable again between the check and the flag: resume here, not twice
      return ch.isWritable() && waiting.compareAndSet(true, false);
    }

    void writabilityChanged() {
      Runnable w = writable;
      if (w != null && ctx.channel().isWritable() && waiting.compareAndSet(true, false)) {
        w.run();
      }
    }

    @Override
    public void end() {
      onLoop(
          () -> {
            if (current == this) {
              finish(closeAfter, LastHttpContent.EMPTY_LAST_CONTENT);
            }
          });
    }

    @Override
    public void fail(Throwable cause) {
      onLoop(
          () -> {
            if (current == this) {
              if (front.log.isDebugEnabled()) {
                front.log.debug("response body to {} failed: {}", remote, cause.toString());
              }
              current = null;
              close(); // the client sees a cut body, not a complete one
            }
          });
    }

    void aborted(Throwable cause) {
      Consumer<Throwable> a = abort;
      if (a != null) {
        a.accept(cause);
      }
    }
  }
}
