package dev.kumaforge.backends.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The slowHeaders fault's handler on an EmbeddedChannel with a frozen clock: no sockets. */
class HeadDribblerTest {
  private static ChannelHandlerContext[] pipeline(EmbeddedChannel ch) {
    ChannelHandlerContext[] last = new ChannelHandlerContext[1];
    ch.pipeline()
        .addLast(HeadDribbler.CODEC, new HttpServerCodec())
        .addLast(
            new ChannelInboundHandlerAdapter() {
              @Override
              public void handlerAdded(ChannelHandlerContext ctx) {
                last[0] = ctx;
              }
            });
    return last;
  }

  private static DefaultFullHttpResponse response(String body) {
    DefaultFullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length());
    return r;
  }

  private static String drain(EmbeddedChannel ch, StringBuilder pieces) {
    StringBuilder sb = new StringBuilder();
    for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
      String s = b.toString(StandardCharsets.US_ASCII);
      b.release();
      if (!s.isEmpty()) {
        pieces.append('|').append(s);
      }
      sb.append(s);
    }
    return sb.toString();
  }

  @Test
  void headTricklesOverTheDurationThenTheBodyFollowsAndTheHandlerLeaves() {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ChannelHandlerContext ctx = pipeline(ch)[0];
    HeadDribbler.arm(ctx, TimeUnit.MILLISECONDS.toNanos(100));
    assertThat(ch.pipeline().get(HeadDribbler.class)).isNotNull();
    ctx.writeAndFlush(response("{\"ok\":true}"));

    StringBuilder pieces = new StringBuilder();
    StringBuilder out = new StringBuilder(drain(ch, pieces));
    String first = out.toString();
    assertThat(first)
        .as("only the first piece leaves at once")
        .isNotEmpty()
        .doesNotContain("\r\n\r\n");
    int steps = 0;
    while (!out.toString().contains("{\"ok\":true}") && steps < 1000) {
      ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
      out.append(drain(ch, pieces));
      steps++;
    }
    assertThat(out.toString())
        .startsWith("HTTP/1.1 200 OK\r\n")
        .contains("content-length: 11\r\n")
        .endsWith("\r\n\r\n{\"ok\":true}");
    // the last piece leaves about 100 ms (virtual time) after the first, never all at once
    assertThat(steps).isBetween(80, 105);
    assertThat(pieces.toString().split("\\|")).hasSizeGreaterThan(9);
    assertThat(ch.pipeline().get(HeadDribbler.class)).as("removed after one response").isNull();

    // the next response on the connection is not slowed
    ctx.writeAndFlush(response("{}"));
    assertThat(drain(ch, new StringBuilder())).startsWith("HTTP/1.1 200 OK").endsWith("{}");
    ch.finishAndReleaseAll();
  }

  @Test
  void writesQueuedBehindTheHeadAreReleasedWhenTheChannelCloses() {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ChannelHandlerContext ctx = pipeline(ch)[0];
    HeadDribbler.arm(ctx, TimeUnit.SECONDS.toNanos(1));
    DefaultFullHttpResponse r = response("{\"x\":1}");
    ctx.writeAndFlush(r);
    ByteBuf extra = Unpooled.copiedBuffer("late", StandardCharsets.US_ASCII);
    ch.writeOneOutbound(extra);
    ch.close();
    assertThat(extra.refCnt()).isZero();
    ch.finishAndReleaseAll();
  }

  @Test
  void headLengthStopsAtTheBlankLine() {
    ByteBuf b =
        Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\na: b\r\n\r\nbody", StandardCharsets.US_ASCII);
    assertThat(HeadDribbler.headLength(b)).isEqualTo(25);
    b.release();
  }
}
