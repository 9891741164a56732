package dev.kumaforge.gateway.upstream.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.util.ByteString;

/** Pekko request -> Netty request: the head, and the body in one write when it is strict. */
final class Requests {
  private static final DefaultHttpHeadersFactory HEADERS =
      DefaultHttpHeadersFactory.headersFactory().withValidation(false);

  private Requests() {}

  /** A full request (strict entity, body included) or only the head (streamed entity). */
  static io.netty.handler.codec.http.HttpRequest toNetty(HttpRequest request, String authority) {
    HttpMethod method = HttpMethod.valueOf(request.method().value());
    String uri = request.getUri().toRelative().toString();
    HttpHeaders headers = HEADERS.newHeaders();
    boolean host = false;
    for (HttpHeader h : request.getHeaders()) {
      if (h.renderInRequests()) {
        headers.add(h.name(), h.value());
        host |= "host".equals(h.lowercaseName());
      }
    }
    if (!host) {
      headers.set(HttpHeaderNames.HOST, authority);
    }
    HttpEntity entity = request.entity();
    ContentType ct = entity.getContentType();
    if (ct != ContentTypes.NO_CONTENT_TYPE) {
      headers.set(HttpHeaderNames.CONTENT_TYPE, ct.toString());
    }
    if (entity instanceof HttpEntity.Strict strict) {
      ByteString data = strict.getData();
      if (!data.isEmpty() || hasBody(method)) {
        headers.set(HttpHeaderNames.CONTENT_LENGTH, data.size());
      }
      ByteBuf body =
          data.isEmpty() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(data.toArrayUnsafe());
      return new DefaultFullHttpRequest(
          HttpVersion.HTTP_1_1,
          method,
          uri,
          body,
          headers,
          EmptyHttpHeaders.INSTANCE); // a full request with Content-Length has no trailers
    }
    if (entity.getContentLengthOption().isPresent()) {
      headers.set(HttpHeaderNames.CONTENT_LENGTH, entity.getContentLengthOption().getAsLong());
    } else {
      headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri, headers);
  }

  private static boolean hasBody(HttpMethod m) {
    return m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.PATCH;
  }
}
