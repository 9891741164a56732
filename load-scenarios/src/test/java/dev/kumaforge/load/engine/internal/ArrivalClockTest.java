package dev.kumaforge.load.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A response's end is timed when its bytes reached the pipeline, not when it was decoded. */
class ArrivalClockTest {
  /** A clock that moves on by 1,000 at every reading. */
  private long ticks;

  private final ArrivalClock clock = new ArrivalClock(() -> ticks += 1_000);
  private final List<Long> ends = new ArrayList<>();

  private EmbeddedChannel channel() {
    EmbeddedChannel ch =
        new EmbeddedChannel(
            clock,
            new HttpClientCodec(),
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                clock.now(); // work in between (decoding, the engine's bookkeeping) takes time
                if (msg instanceof LastHttpContent) {
                  ends.add(clock.now());
                }
                ReferenceCountUtil.release(msg);
              }
            });
    ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/"));
    ReferenceCountUtil.release(ch.readOutbound());
    return ch;
  }

  private static io.netty.buffer.ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  @Test
  void aResponseInOneReadEndsWhenThatReadArrived() {
    EmbeddedChannel ch = channel();
    ch.writeInbound(bytes("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"));
    assertThat(ends).containsExactly(1_000L);
    assertThat(clock.now()).isGreaterThan(1_000L); // outside a read: the clock now
    ch.finishAndReleaseAll();
  }

  @Test
  void aResponseSplitOverReadsEndsWhenItsLastBytesArrived() {
    EmbeddedChannel ch = channel();
    ch.writeInbound(bytes("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{"));
    long second = ticks + 1_000; // the clock's next reading, taken when the next bytes arrive
    ch.writeInbound(bytes("}"));
    assertThat(ends).containsExactly(second);
    ch.finishAndReleaseAll();
  }
}
