package dev.kumaforge.load.engine.internal;

import dev.kumaforge.load.scenario.RequestSpec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** A prebuilt HTTP/1.1 request; {@link #newRequest()} is cheap and shares headers and body. */
public final class RequestTemplate {
  private final HttpMethod method;
  private final String uri;
  private final HttpHeaders headers;
  private final ByteBuf body;

  /**
   * Builds the request of {@code spec} against {@code base} ({@code http[s]://host:port[/prefix]}).
   *
   * @param close send {@code Connection: close} (a new connection per request)
   */
  public RequestTemplate(RequestSpec spec, URI base, boolean close) {
    this.method = HttpMethod.valueOf(spec.method());
    String prefix = base.getRawPath() == null ? "" : base.getRawPath();
    while (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    this.uri = prefix + spec.path();
    byte[] bytes = spec.body() == null ? new byte[0] : spec.body().getBytes(StandardCharsets.UTF_8);
    this.body = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bytes));
    HttpHeaders h = new DefaultHttpHeaders();
    h.set(HttpHeaderNames.HOST, base.getHost() + (base.getPort() > 0 ? ":" + base.getPort() : ""));
    spec.headers().forEach(h::set);
    if (close) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    if (bytes.length > 0 || spec.body() != null) {
      h.set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    }
    this.headers = h;
  }

  /** The request URI (path and query) sent to the target. */
  public String uri() {
    return uri;
  }

  /** A new request sharing the template's (read-only) headers and body. */
  public FullHttpRequest newRequest() {
    return new DefaultFullHttpRequest(
        HttpVersion.HTTP_1_1, method, uri, body.duplicate(), headers, EmptyHttpHeaders.INSTANCE);
  }
}
