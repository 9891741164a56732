package dev.kumaforge.backends.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.util.List;

/**
 * The first bytes of a plain-HTTP connection decide its protocol: the HTTP/2 connection preface
 * ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", h2c with prior knowledge) installs an HTTP/2 frame codec
 * whose streams each run the HTTP/1.1 handlers behind an HTTP/2-to-HTTP-object codec; anything else
 * installs the HTTP/1.1 pipeline, unchanged, and passes the bytes on.
 *
 * <pre>
 * socket -> [H2c: preface?] -yes-> Http2FrameCodec -> Http2MultiplexHandler -> per stream:
 *                                    Http2StreamFrameToHttpObjectCodec -> aggregator -> handler
 *                           -no--> HttpServerCodec -> aggregator -> handler   (HTTP/1.1)
 * </pre>
 */
final class H2c extends ByteToMessageDecoder {
  /** Per-stream receive window (request bodies), bytes. */
  static final int STREAM_WINDOW = 1 << 20;

  /** Connection receive window, bytes. */
  static final int CONNECTION_WINDOW = 64 << 20;

  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

  private final ProviderRuntime provider;
  private final int maxBody;

  H2c(ProviderRuntime provider, int maxBody) {
    this.provider = provider;
    this.maxBody = maxBody;
  }

  /** The HTTP/1.1 handlers after the codec, for a connection or an h2 stream. */
  static void http(ChannelPipeline p, ProviderRuntime provider, int maxBody) {
    p.addLast(new ProviderAggregator(maxBody, provider.config().style()))
        .addLast(new ProviderHandler(provider));
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
    boolean prefix = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n);
    if (prefix && n < PREFACE.readableBytes()) {
      return; // could still be the preface: wait for more bytes
    }
    ChannelPipeline p = ctx.pipeline(); // this decoder is the last handler
    if (prefix) {
      provider.wire().h2Connections.incrementAndGet();
      h2(p);
    } else {
      provider.wire().http1Connections.incrementAndGet();
      p.addLast(HeadDribbler.CODEC, new HttpServerCodec());
      http(p, provider, maxBody);
    }
    p.remove(this); // passes the bytes read so far on
  }

  private void h2(ChannelPipeline p) {
    int maxStreams = provider.config().http2MaxConcurrentStreams();
    Http2Settings settings =
        Http2Settings.defaultSettings()
            .maxConcurrentStreams(maxStreams)
            .initialWindowSize(STREAM_WINDOW);
    ProviderRuntime rt = provider;
    int body = maxBody;
    Http2MultiplexHandler mux =
        new Http2MultiplexHandler(
            new ChannelInitializer<Http2StreamChannel>() {
              @Override
              protected void initChannel(Http2StreamChannel ch) {
                rt.wire().streams.incrementAndGet();
                rt.wire().openStreams.incrementAndGet();
                ch.closeFuture().addListener(f -> rt.wire().openStreams.decrementAndGet());
                ch.pipeline()
                    .addLast(HeadDribbler.H2_CODEC, new Http2StreamFrameToHttpObjectCodec(true))
                    .addLast(new ResetCounter(rt.wire()));
                http(ch.pipeline(), rt, body);
              }
            });
    p.addLast(Http2FrameCodecBuilder.forServer().initialSettings(settings).build(), mux);
    p.addLast(new ConnectionWindow());
  }

  /** Counts the streams the client reset (cancelled requests). */
  static final class ResetCounter extends ChannelInboundHandlerAdapter {
    private final WireStats wire;

    ResetCounter(WireStats wire) {
      this.wire = wire;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof Http2ResetFrame) {
        wire.streamsReset.incrementAndGet();
      }
      ctx.fireUserEventTriggered(evt);
    }
  }

  /** Opens the connection receive window to {@link #CONNECTION_WINDOW} once the codec is active. */
  static final class ConnectionWindow extends ChannelInboundHandlerAdapter {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      int delta = CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE;
      ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(delta));
      ctx.pipeline().remove(this);
    }
  }
}
