package dev.kumaforge.load.engine.internal;

import dev.kumaforge.load.scenario.RequestSpec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A prebuilt HTTP/1.1 request, encoded once by Netty's {@link HttpRequestEncoder}: a send writes
 * the same bytes again ({@link #encoded()}), with no encoding on the engine's event loop. The bytes
 * live in direct memory, so the epoll transport writes them as they are instead of copying them
 * into a direct buffer at every send.
 */
public final class RequestTemplate {
  private final boolean head;
  private final String uri;
  private final ByteBuf encoded;

  /**
   * Builds the request of {@code spec} against {@code base} ({@code http[s]://host:port[/prefix]}).
   *
   * @param close send {@code Connection: close} (a new connection per request)
   */
  public RequestTemplate(RequestSpec spec, URI base, boolean close) {
    HttpMethod method = HttpMethod.valueOf(spec.method());
    this.head = HttpMethod.HEAD.equals(method);
    String prefix = base.getRawPath() == null ? "" : base.getRawPath();
    while (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    this.uri = prefix + spec.path();
    byte[] bytes = spec.body() == null ? new byte[0] : spec.body().getBytes(StandardCharsets.UTF_8);
    HttpHeaders h = new DefaultHttpHeaders();
    h.set(HttpHeaderNames.HOST, base.getHost() + (base.getPort() > 0 ? ":" + base.getPort() : ""));
    spec.headers().forEach(h::set);
    if (close) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    if (bytes.length > 0 || spec.body() != null) {
      h.set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    }
    this.encoded =
        Unpooled.unreleasableBuffer(
            encode(
                new DefaultFullHttpRequest(
                    HttpVersion.HTTP_1_1,
                    method,
                    uri,
                    Unpooled.wrappedBuffer(bytes),
                    h,
                    EmptyHttpHeaders.INSTANCE)));
  }

  /**
   * The request's bytes as {@link HttpRequestEncoder} writes them, in a direct buffer that the
   * JVM's garbage collector frees (it is never released).
   */
  private static ByteBuf encode(FullHttpRequest request) {
    EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestEncoder());
    try {
      channel.writeOutbound(request);
      ByteBuf all = Unpooled.buffer();
      for (ByteBuf part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
        all.writeBytes(part);
        part.release();
      }
      ByteBuffer direct = ByteBuffer.allocateDirect(all.readableBytes());
      all.readBytes(direct);
      return Unpooled.wrappedBuffer(direct.flip());
    } finally {
      channel.finishAndReleaseAll();
    }
  }

  /** The request URI (path and query) sent to the target. */
  public String uri() {
    return uri;
  }

  /** True for HEAD: the answer has no body, whatever its Content-Length says. */
  public boolean head() {
    return head;
  }

  /** The encoded request, a view of bytes shared by every send (writing it releases nothing). */
  public ByteBuf encoded() {
    return encoded.duplicate();
  }
}
