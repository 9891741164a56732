package dev.kumaforge.backends.internal;

import dev.kumaforge.backends.config.ProviderStyle;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** Aggregates request bodies up to the provider's limit; larger ones get a provider-shaped 413. */
final class ProviderAggregator extends HttpObjectAggregator {
  private final ProviderStyle style;
  private final int maxBody;

  ProviderAggregator(int maxBody, ProviderStyle style) {
    super(maxBody);
    this.maxBody = maxBody;
    this.style = style;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    String json =
        style == ProviderStyle.ANTHROPIC
            ? "{\"type\":\"error\",\"error\":{\"type\":\"request_too_large\",\"message\":"
                + "\"Request exceeds the maximum allowed number of bytes ("
                + maxBody
                + ").\"}}"
            : "{\"error\":{\"message\":\"Request too large: the body exceeds "
                + maxBody
                + " bytes.\",\"type\":\"invalid_request_error\",\"param\":null,"
                + "\"code\":\"request_too_large\"}}";
    ByteBuf body = Exchange.utf8(json);
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, body);
    res.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
  }
}
