package dev.kumaforge.backends.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.TimeUnit;

/**
 * One request being answered on one connection. All methods run on the connection's event loop;
 * delays use the event loop's scheduler and honour the provider's freeze.
 */
final class Exchange {
  private final ChannelHandlerContext ctx;
  private final ProviderRuntime provider;
  private final boolean keepAlive;
  private final long receivedNanos;
  private long startNanos;
  private java.util.List<Runnable> finishHooks;
  private final Runnable onDone;
  private final boolean freezable;
  private final boolean timing;
  private boolean done;

  Exchange(
      ChannelHandlerContext ctx,
      ProviderRuntime provider,
      boolean keepAlive,
      long receivedNanos,
      boolean freezable,
      Runnable onDone) {
    this.ctx = ctx;
    this.provider = provider;
    this.keepAlive = keepAlive;
    this.receivedNanos = receivedNanos;
    this.startNanos = receivedNanos;
    this.freezable = freezable;
    this.onDone = onDone;
    this.timing = provider.config().timingHeaders();
  }

  ChannelHandlerContext ctx() {
    return ctx;
  }

  ProviderRuntime provider() {
    return provider;
  }

  long receivedNanos() {
    return receivedNanos;
  }

  boolean active() {
    return !done && ctx.channel().isActive();
  }

  /** Runs {@code task} at {@code start + offsetNanos}, later while the provider is frozen. */
  void atOffset(long offsetNanos, Runnable task) {
    at(startNanos + offsetNanos, task);
  }

  /** Moves the start of the timeline (when a request got its generation slot). */
  void rebase(long nanos) {
    startNanos = nanos;
  }

  /** Runs {@code hook} once when the exchange finishes, however it ends. */
  void onFinish(Runnable hook) {
    if (done) {
      hook.run();
      return;
    }
    if (finishHooks == null) {
      finishHooks = new java.util.ArrayList<>(2);
    }
    finishHooks.add(hook);
  }

  /** Runs {@code task} at {@code deadlineNanos} ({@link System#nanoTime()} scale). */
  void at(long deadlineNanos, Runnable task) {
    long now = System.nanoTime();
    long due = deadlineNanos;
    if (freezable) {
      due = Math.max(due, provider.freezeUntilNanos());
    }
    if (due - now <= 0) {
      if (active()) {
        task.run();
      }
      return;
    }
    ctx.executor()
        .schedule(
            () -> {
              if (active()) {
                at(deadlineNanos, task);
              }
            },
            due - now,
            TimeUnit.NANOSECONDS);
  }

  /** Sends a complete response and finishes the exchange. */
  void respond(HttpResponseStatus status, CharSequence contentType, ByteBuf body) {
    respond(status, contentType, body, null);
  }

  /** Sends a complete response with extra headers and finishes the exchange. */
  void respond(
      HttpResponseStatus status, CharSequence contentType, ByteBuf body, HttpHeaders extra) {
    if (!active()) {
      body.release();
      finish();
      return;
    }
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    HttpHeaders h = res.headers();
    if (extra != null) {
      h.add(extra);
    }
    h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    addTiming(h);
    if (!keepAlive) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    ChannelFutureListenerHolder.write(ctx, res, keepAlive);
    finish();
  }

  /** Starts a chunked (SSE) response. */
  void startStream(HttpResponseStatus status, CharSequence contentType, HttpHeaders extra) {
    HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
    if (extra != null) {
      res.headers().add(extra);
    }
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    addTiming(res.headers());
    HttpUtil.setTransferEncodingChunked(res, true);
    if (!keepAlive) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    ctx.writeAndFlush(res);
  }

  /** Writes and flushes one stream chunk on its own. */
  void chunk(ByteBuf data) {
    if (!active()) {
      data.release();
      return;
    }
    if (timing) {
      ctx.write(new DefaultHttpContent(utf8(": emit-us " + epochMicros() + "\n")));
    }
    ctx.writeAndFlush(new DefaultHttpContent(data));
  }

  /** Adds receive time (epoch µs) and service time (µs since receipt) when enabled. */
  private void addTiming(HttpHeaders h) {
    if (!timing) {
      return;
    }
    long now = System.nanoTime();
    long epochNow = epochMicros();
    h.set("x-forge-received-us", Long.toString(epochNow - (now - receivedNanos) / 1000));
    h.set("x-forge-service-us", Long.toString((now - receivedNanos) / 1000));
  }

  static long epochMicros() {
    java.time.Instant i = java.time.Instant.now();
    return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
  }

  /** Ends a chunked response and finishes the exchange. */
  void endStream() {
    if (active()) {
      ChannelFutureListenerHolder.write(ctx, LastHttpContent.EMPTY_LAST_CONTENT, keepAlive);
    }
    finish();
  }

  /**
   * Ends a chunked response without its terminating chunk: the connection is closed (on h2c the
   * stream is reset, after the frames already written left).
   */
  void abortStream() {
    if (active()) {
      if (ctx.channel().parent() != null) {
        ctx.channel().parent().flush(); // frames still in the flow controller would be dropped
      }
      ctx.channel().close();
    }
    finish();
  }

  /** Resets the connection (TCP RST; on h2c RST_STREAM of the stream) without answering. */
  void reset() {
    if (active()) {
      ctx.channel().config().setOption(io.netty.channel.ChannelOption.SO_LINGER, 0);
      ctx.channel().close();
    }
    finish();
  }

  void finish() {
    if (!done) {
      done = true;
      if (finishHooks != null) {
        for (Runnable hook : finishHooks) {
          hook.run();
        }
      }
      onDone.run();
    }
  }

  static ByteBuf utf8(String s) {
    return Unpooled.copiedBuffer(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Writes a message, closing the connection afterwards unless kept alive. */
  private static final class ChannelFutureListenerHolder {
    static void write(ChannelHandlerContext ctx, Object msg, boolean keepAlive) {
      if (keepAlive) {
        ctx.writeAndFlush(msg, ctx.voidPromise());
      } else {
        ctx.writeAndFlush(msg).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
