package dev.kumaforge.backends.internal;

import dev.kumaforge.backends.config.ProviderStyle;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Routes the requests of one connection, one at a time in arrival order (pipelined requests wait
 * their turn, as HTTP/1.1 requires), and never blocks the event loop.
 */
final class ProviderHandler extends ChannelInboundHandlerAdapter {
  private static final int MAX_PIPELINED = 64;

  private final ProviderRuntime provider;
  private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
  private boolean busy;
  private Exchange current;

  ProviderHandler(ProviderRuntime provider) {
    this.provider = provider;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest req)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (busy) {
      if (waiting.size() >= MAX_PIPELINED) {
        req.release();
        ctx.close();
        return;
      }
      waiting.add(req);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    serve(ctx, req);
  }

  private void serve(ChannelHandlerContext ctx, FullHttpRequest req) {
    busy = true;
    long received = System.nanoTime();
    String uri = req.uri();
    int q = uri.indexOf('?');
    String path = q >= 0 ? uri.substring(0, q) : uri;
    boolean admin = path.startsWith("/admin/") || path.equals("/metrics");
    Exchange ex =
        new Exchange(ctx, provider, HttpUtil.isKeepAlive(req), received, !admin, () -> done(ctx));
    current = ex;
    try {
      route(ex, req, path);
    } catch (RuntimeException e) {
      System.err.println(
          "mock backend '" + provider.config().name() + "': internal error on " + path + ": " + e);
      if (ex.active()) {
        ex.respond(
            HttpResponseStatus.INTERNAL_SERVER_ERROR,
            HttpHeaderValues.APPLICATION_JSON,
            Exchange.utf8(
                "{\"error\":{\"message\":\"internal error in the mock backend: "
                    + e.getClass().getSimpleName()
                    + "\",\"type\":\"server_error\",\"param\":null,\"code\":null}}"));
      }
    } finally {
      req.release();
    }
  }

  private void route(Exchange ex, FullHttpRequest req, String path) {
    if (path.startsWith("/admin/")) {
      AdminApi.handle(ex, req, path);
      return;
    }
    if (path.equals("/metrics")) {
      AdminApi.metrics(ex);
      return;
    }
    boolean ready = provider.ready();
    if (path.equals("/health/ready")) {
      ex.atOffset(
          0,
          () ->
              ex.respond(
                  ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                  HttpHeaderValues.APPLICATION_JSON,
                  Exchange.utf8(ready ? "{\"status\":\"ready\"}" : "{\"status\":\"starting\"}")));
      return;
    }
    boolean openai = provider.config().style() == ProviderStyle.OPENAI;
    if (!ready) {
      ex.atOffset(
          0,
          () -> {
            if (openai) {
              OpenAiApi.statusError(ex, 503);
            } else {
              AnthropicApi.statusError(ex, 503);
            }
          });
      return;
    }
    if (openai && path.equals("/v1/chat/completions")) {
      if (requireMethod(ex, req, HttpMethod.POST)) {
        OpenAiApi.chatCompletions(ex, req);
      }
      return;
    }
    if (openai && path.equals("/v1/embeddings")) {
      if (requireMethod(ex, req, HttpMethod.POST)) {
        OpenAiExtras.embeddings(ex, req);
      }
      return;
    }
    if (openai && path.equals("/v1/completions")) {
      if (requireMethod(ex, req, HttpMethod.POST)) {
        OpenAiExtras.completions(ex, req);
      }
      return;
    }
    if (openai && path.equals("/v1/models")) {
      if (requireMethod(ex, req, HttpMethod.GET)) {
        OpenAiApi.models(ex, req);
      }
      return;
    }
    if (!openai && path.equals("/v1/messages")) {
      if (requireMethod(ex, req, HttpMethod.POST)) {
        AnthropicApi.messages(ex, req);
      }
      return;
    }
    notFound(ex, req, path);
  }

  private boolean requireMethod(Exchange ex, FullHttpRequest req, HttpMethod method) {
    if (req.method().equals(method)) {
      return true;
    }
    String message = "Method " + req.method() + " not allowed; use " + method + ".";
    if (provider.config().style() == ProviderStyle.ANTHROPIC) {
      AnthropicApi.error(
          ex, HttpResponseStatus.METHOD_NOT_ALLOWED, "invalid_request_error", message, null);
      return false;
    }
    OpenAiApi.error(
        ex,
        HttpResponseStatus.METHOD_NOT_ALLOWED,
        "invalid_request_error",
        "method_not_supported",
        null,
        message,
        null);
    return false;
  }

  private void notFound(Exchange ex, FullHttpRequest req, String path) {
    if (provider.config().style() == ProviderStyle.ANTHROPIC) {
      AnthropicApi.error(
          ex,
          HttpResponseStatus.NOT_FOUND,
          "not_found_error",
          "Not found: " + req.method() + " " + path,
          null);
      return;
    }
    OpenAiApi.error(
        ex,
        HttpResponseStatus.NOT_FOUND,
        "invalid_request_error",
        "unknown_url",
        null,
        "Unknown request URL: " + req.method() + " " + path + ".",
        null);
  }

  private void done(ChannelHandlerContext ctx) {
    busy = false;
    current = null;
    FullHttpRequest next = waiting.poll();
    if (next != null) {
      serve(ctx, next);
      return;
    }
    if (!ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    FullHttpRequest r;
    while ((r = waiting.poll()) != null) {
      r.release();
    }
    if (current != null) {
      current.finish();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
