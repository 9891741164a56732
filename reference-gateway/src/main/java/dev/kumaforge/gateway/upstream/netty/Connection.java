package dev.kumaforge.gateway.upstream.netty;

import dev.kumaforge.gateway.upstream.UpstreamException;
import dev.kumaforge.gateway.upstream.UpstreamFailure;
import dev.kumaforge.gateway.upstream.UpstreamQueue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import scala.util.Success;

/**
 * One upstream connection of a {@link NettyPool}, or one HTTP/2 stream of an {@link H2Pool} (a
 * child channel behind {@code Http2StreamFrameToHttpObjectCodec}, used once): writes one request at
 * a time and turns the response into a Pekko response, strict when the whole body came with the
 * head (one read), else streamed through a {@link ChannelSource}. Everything but {@link #send} runs
 * on the channel's event loop. A peer's RST_STREAM or GOAWAY (streams it will not process) closes
 * the stream, failing it as a connection closed would; before any response that is REFUSED_STREAM
 * for a RST_STREAM REFUSED_STREAM or a GOAWAY (the request provably was not processed), else a
 * reset.
 *
 * <pre>
 * IDLE -send-> WAITING -head-> HEAD -last content (same read)-> strict response, IDLE
 *                                  -read complete-> streamed response, STREAM -last-> IDLE
 * close in WAITING/HEAD: the callback fails; close in STREAM: the body fails
 * </pre>
 */
final class Connection extends ChannelInboundHandlerAdapter {
  private static final int IDLE = 0;
  private static final int WAITING = 1;
  private static final int HEAD = 2;
  private static final int STREAM = 3;
  private static final int INFORMATIONAL = 4;
  private static final int CLOSED = 5;

  private final Pool pool;
  private final int keepAliveTicks;
  private final int streamIdleTicks;
  private Channel channel;
  private int state = IDLE;
  private long seq;
  private UpstreamQueue.Callback callback;
  private HttpResponse head;
  private boolean keepAlive;
  private boolean requestEnded;
  private boolean headRequest;
  // set when the connection closes before the streamed body of its request ended (an early answer):
  // the rest of the body is then read and dropped, so the client's connection stays usable
  private AtomicBoolean dropBody;
  private List<ByteString> chunks;
  private Body body;
  private Throwable cause;
  private int idleTicks;

  Connection(Pool pool, int keepAliveTicks, int streamIdleTicks) {
    this.pool = pool;
    this.keepAliveTicks = keepAliveTicks;
    this.streamIdleTicks = streamIdleTicks;
  }

  Channel channel() {
    return channel;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  /** Sends {@code request}; callable from any thread. */
  void send(HttpRequest request, UpstreamQueue.Callback cb) {
    if (channel.eventLoop().inEventLoop()) {
      write(request, cb);
    } else {
      channel.eventLoop().execute(() -> write(request, cb));
    }
  }

  /** Back in the pool: read, so that the server closing the idle connection is noticed. */
  void idle() {
    idleTicks = 0;
    channel.read();
  }

  private void write(HttpRequest request, UpstreamQueue.Callback cb) {
    if (!channel.isActive() || state != IDLE) {
      pool.requeue(request, cb);
      return;
    }
    long s = ++seq;
    if (!cb.attached(() -> abort(s))) {
      pool.fail(cb, new IOException("request abandoned before it was sent"));
      pool.available(this);
      return;
    }
    state = WAITING;
    callback = cb;
    idleTicks = 0;
    headRequest = request.method() == HttpMethods.HEAD;
    io.netty.handler.codec.http.HttpRequest out;
    try {
      out = Requests.toNetty(request, pool.authority());
    } catch (RuntimeException e) {
      state = IDLE;
      callback = null;
      pool.fail(cb, e);
      pool.available(this);
      return;
    }
    channel.writeAndFlush(out, channel.voidPromise());
    requestEnded = out instanceof FullHttpRequest;
    dropBody = null;
    if (!requestEnded) {
      dropBody = new AtomicBoolean();
      streamBody(request.entity(), s, dropBody);
    }
    channel.read();
  }

  /**
   * Writes the streamed body of request {@code s} chunk by chunk, each after the previous one was
   * written, then its end. A body with a length ends with its last byte: that chunk goes out as the
   * last content in the same loop task that marks the request ended, so a response that the body's
   * end provoked always finds it marked ({@link #released} then keeps the connection). A chunked
   * body ends when its source completes. Once {@code drop} is set the rest is read and dropped.
   */
  private void streamBody(HttpEntity entity, long s, AtomicBoolean drop) {
    Channel ch = channel;
    long length = entity.getContentLengthOption().orElse(-1);
    AtomicLong sent = new AtomicLong();
    entity
        .getDataBytes()
        .runWith(
            Sink.<ByteString>foreachAsync(
                1,
                bs -> {
                  if (drop.get()) {
                    return CompletableFuture.completedFuture(null);
                  }
                  boolean last = sent.addAndGet(bs.size()) == length;
                  ByteBuf data = Unpooled.wrappedBuffer(bs.toArray());
                  CompletableFuture<Void> written = new CompletableFuture<>();
                  onLoop(
                      () -> {
                        if (last) {
                          requestEnded(s);
                        }
                        ch.writeAndFlush(
                                last
                                    ? new DefaultLastHttpContent(data)
                                    : new DefaultHttpContent(data))
                            .addListener(
                                f -> {
                                  if (f.isSuccess() || drop.get()) {
                                    written.complete(null);
                                  } else {
                                    written.completeExceptionally(f.cause());
                                  }
                                });
                      });
                  return written;
                }),
            pool.materializer())
        .whenComplete(
            (done, err) -> {
              if (err != null) {
                ch.close();
              } else if (sent.get() != length) {
                onLoop(
                    () -> {
                      if (requestEnded(s)) {
                        ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
                      }
                    });
              }
            });
  }

  /** Marks request {@code s} ended, if it is still this connection's request and was not yet. */
  private boolean requestEnded(long s) {
    if (seq != s || requestEnded) {
      return false;
    }
    requestEnded = true;
    return true;
  }

  /** The caller gave up on request {@code s} (its timer fired): close the connection. */
  private void abort(long s) {
    channel
        .eventLoop()
        .execute(
            () -> {
              if (seq == s && (state == WAITING || state == HEAD || state == INFORMATIONAL)) {
                cause = new IOException("request abandoned by the gateway (try timeout)");
                channel.close();
              }
            });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
        cause = o.decoderResult().cause();
        channel.close();
        return;
      }
      idleTicks = 0;
      if (msg instanceof HttpResponse r) {
        onHead(r);
      }
      if (msg instanceof HttpContent c) {
        onContent(c);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onHead(HttpResponse r) {
    if (state != WAITING) {
      cause = new IOException("unexpected response from upstream");
      channel.close();
      return;
    }
    if (r.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
      state = INFORMATIONAL;
      return;
    }
    head = r;
    keepAlive = HttpUtil.isKeepAlive(r);
    state = HEAD;
  }

  private void onContent(HttpContent c) {
    boolean last = c instanceof LastHttpContent;
    switch (state) {
      case INFORMATIONAL -> {
        if (last) {
          state = WAITING;
        }
      }
      case HEAD -> {
        ByteBuf buf = c.content();
        if (buf.isReadable()) {
          if (chunks == null) {
            chunks = new ArrayList<>(2);
          }
          chunks.add(ChannelSource.copy(buf));
        }
        if (last) {
          strictResponse();
        }
      }
      case STREAM -> {
        ByteBuf buf = c.content();
        if (buf.isReadable()) {
          body.emit(ChannelSource.copy(buf));
        }
        if (last) {
          Body b = body;
          body = null;
          b.emit(ChannelSource.END);
          released();
        }
      }
      default -> {
        // content of a response nobody waits for (closed or abandoned): dropped
      }
    }
  }

  private void strictResponse() {
    UpstreamQueue.Callback cb = callback;
    HttpResponse h = head;
    ByteString data = ByteString.emptyByteString();
    if (chunks != null) {
      for (ByteString c : chunks) {
        data = data.concat(c);
      }
    }
    ContentType ct = Responses.contentType(h.headers());
    long length = headRequest && data.isEmpty() ? HttpUtil.getContentLength(h, 0L) : 0;
    // the answer to HEAD keeps the length of the body it stands for (an entity that is never read)
    ResponseEntity entity =
        length > 0
            ? HttpEntities.create(ct, length, Source.empty())
            : HttpEntities.create(ct, data);
    org.apache.pekko.http.javadsl.model.HttpResponse response =
        Responses.toPekko(h.status().code(), h.headers(), entity);
    released();
    pool.done();
    pool.deliver(cb, new Success<>(response));
  }

  private void streamedResponse() {
    UpstreamQueue.Callback cb = callback;
    HttpResponse h = head;
    body = new Body();
    if (chunks != null) {
      for (ByteString c : chunks) {
        body.emit(c);
      }
      chunks = null;
    }
    state = STREAM;
    callback = null;
    head = null;
    channel.config().setAutoRead(false); // an h2 stream reads ahead until its head is complete
    ContentType ct = Responses.contentType(h.headers());
    Source<ByteString, ?> source = Source.fromGraph(new ChannelSource(body));
    String length = h.headers().get(HttpHeaderNames.CONTENT_LENGTH);
    ResponseEntity entity;
    if (length != null && !HttpUtil.isTransferEncodingChunked(h)) {
      entity = HttpEntities.create(ct, Long.parseLong(length.trim()), source);
    } else {
      entity = HttpEntities.createChunked(ct, source);
    }
    org.apache.pekko.http.javadsl.model.HttpResponse response =
        Responses.toPekko(h.status().code(), h.headers(), entity);
    pool.done();
    pool.deliver(cb, new Success<>(response));
  }

  /**
   * The response is complete: the connection serves the next request, or closes when the upstream
   * asked for it or answered before the request's end was written (as nginx's keepalive and the
   * Pekko pool do): a request written there would land in the middle of the previous body. The rest
   * of such a body is then dropped as it comes, so the client can send it and keep its connection.
   */
  private void released() {
    state = IDLE;
    callback = null;
    head = null;
    chunks = null;
    if (keepAlive && requestEnded && channel.isActive()) {
      pool.available(this);
    } else {
      if (!requestEnded) { // a streamed body (a full request ends when written)
        dropBody.set(true);
      }
      channel.close();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (state == WAITING || state == INFORMATIONAL) {
      channel.read();
    } else if (state == HEAD) {
      streamedResponse();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof Http2ResetFrame r) {
      String what = "RST_STREAM " + Http2Error.valueOf(r.errorCode());
      cause =
          r.errorCode() == Http2Error.REFUSED_STREAM.code() && state == WAITING
              ? refused(what)
              : new IOException("upstream reset the stream (" + what + ")");
    } else if (evt instanceof Http2GoAwayFrame g) {
      // only the streams above the GOAWAY's last-stream-id get it: the peer did not process them
      String what =
          "GOAWAY "
              + Http2Error.valueOf(g.errorCode())
              + " with last-stream-id "
              + g.lastStreamId();
      cause =
          state == WAITING
              ? refused(what)
              : new IOException(
                  "upstream closed the connection (" + what + ") before processing the stream");
    }
    if (!(evt instanceof IdleStateEvent)) {
      ctx.fireUserEventTriggered(evt); // the tail releases frames
      return;
    }
    idleTicks++;
    if (state == IDLE) {
      if (idleTicks >= keepAliveTicks) {
        channel.close();
      }
    } else if (idleTicks >= streamIdleTicks) {
      cause = new IOException("no byte from the upstream within streamIdleTimeout");
      channel.close();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
    if (cause == null) {
      // Netty refuses to open a stream above the peer's stream limit or GOAWAY's last-stream-id
      cause =
          t instanceof Http2Exception h
                  && h.error() == Http2Error.REFUSED_STREAM
                  && state == WAITING
              ? refused("not opened: " + t.getMessage())
              : t;
    }
    ctx.close();
  }

  /** The HTTP/2 peer did not process this stream's request ({@code what}): safe to send again. */
  private static Throwable refused(String what) {
    return new UpstreamException(
        UpstreamFailure.REFUSED_STREAM, "the request was not processed (" + what + ")", -1);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    int was = state;
    state = CLOSED;
    Throwable why = cause;
    if (was == WAITING || was == HEAD || was == INFORMATIONAL) {
      UpstreamQueue.Callback cb = callback;
      callback = null;
      pool.fail(
          cb,
          why != null
              ? why
              : new IOException("upstream closed the connection before a complete response"));
    } else if (was == STREAM && body != null) {
      Body b = body;
      body = null;
      b.emit(why != null ? why : new IOException("upstream closed the connection mid-response"));
    }
    pool.lost(this);
  }

  /**
   * Runs {@code task} on the channel's loop as a task of its own, also when called on that loop
   * (with {@code server.loops: pinned} the body's consumer runs there): running it inline there,
   * inside the consumer's stage, lost the last chunk of h2c streams
   * (H2cUpstreamIT.streamsOnAPlainRouteArriveWholeAndInOrder).
   */
  private void onLoop(Runnable task) {
    channel.eventLoop().execute(task);
  }

  /**
   * The body of one streamed response: events (chunks, {@link ChannelSource#END}, a failure) are
   * buffered until the source is materialized, then handed over one by one.
   */
  final class Body extends ChannelSource.LoopFeed {
    @Override
    protected void onLoop(Runnable task) {
      Connection.this.onLoop(task);
    }

    @Override
    public void demand() {
      onLoop(
          () -> {
            if (body == this) {
              channel.read();
            }
          });
    }

    /** Closes the connection unless the body already ended. */
    @Override
    public void cancel() {
      onLoop(
          () -> {
            if (body == this) {
              body = null;
              channel.close();
            }
          });
    }
  }
}
