package dev.kumaforge.gateway.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.util.ByteString;

/**
 * The Netty front's response side: Pekko's response model as a Netty response head, rendered as
 * Pekko's renderer does (a {@code Date} header, the entity's {@code Content-Type} and length,
 * {@code Connection: close} when the connection ends after it, {@code Connection: keep-alive} for
 * an HTTP/1.0 client that keeps it).
 */
final class FrontResponses {
  private static final DefaultHttpHeadersFactory HEADERS =
      DefaultHttpHeadersFactory.headersFactory().withValidation(false);
  private static final DateTimeFormatter RFC_1123 =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US);

  /** The {@code Date} value of the current second, rendered once per second. */
  private static volatile Dated dated = new Dated(0, "");

  private record Dated(long second, String value) {}

  private FrontResponses() {}

  /** Whether the response's headers ask to close the connection. */
  static boolean asksToClose(HttpResponse response) {
    for (HttpHeader h : response.getHeaders()) {
      if ("connection".equals(h.lowercaseName())
          && h.value().toLowerCase(java.util.Locale.ROOT).contains("close")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a response with {@code status} to a request with {@code method} has no body: HEAD, 1xx,
   * 204 and 304.
   */
  static boolean bodiless(int status, boolean head) {
    return head || status < 200 || status == 204 || status == 304;
  }

  /**
   * The head of {@code response}, as HTTP/1.1 (as Pekko's renderer and nginx answer an HTTP/1.0
   * client too). {@code length}: the Content-Length to render, or -1 for none (then chunked when
   * {@code chunked}, else the body is delimited by the close).
   */
  static io.netty.handler.codec.http.HttpResponse head(
      HttpResponse response,
      long length,
      boolean chunked,
      boolean close,
      boolean keepAlive10,
      ByteBuf fullBody) {
    int code = response.status().intValue();
    HttpResponseStatus status = HttpResponseStatus.valueOf(code, response.status().reason());
    HttpHeaders h = HEADERS.newHeaders();
    boolean date = false;
    for (HttpHeader x : response.getHeaders()) {
      String n = x.lowercaseName();
      if (n.equals("content-length")
          || n.equals("transfer-encoding")
          || n.equals("connection")
          || n.equals("content-type")) {
        continue;
      }
      date |= n.equals("date");
      h.add(x.name(), x.value());
    }
    if (!date) {
      h.add(HttpHeaderNames.DATE, date());
    }
    ResponseEntity entity = response.entity();
    if (entity.getContentType() != ContentTypes.NO_CONTENT_TYPE
        && !(code == 204 || code == 304 || code < 200)) {
      h.add(HttpHeaderNames.CONTENT_TYPE, entity.getContentType().toString());
    }
    if (length >= 0) {
      h.add(HttpHeaderNames.CONTENT_LENGTH, Long.toString(length));
    } else if (chunked) {
      h.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    if (close) {
      h.add(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (keepAlive10) {
      h.add(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    if (fullBody != null) {
      return new DefaultFullHttpResponse(
          HttpVersion.HTTP_1_1, status, fullBody, h, EmptyHttpHeaders.INSTANCE);
    }
    return new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, h);
  }

  /** {@code data} as a buffer (over the same bytes when it is one array). */
  static ByteBuf buffer(ByteString data) {
    return data.isEmpty() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(data.toArrayUnsafe());
  }

  private static String date() {
    long second = System.currentTimeMillis() / 1000;
    Dated d = dated;
    if (d.second != second) {
      d = new Dated(second, RFC_1123.format(ZonedDateTime.now(ZoneOffset.UTC)));
      dated = d;
    }
    return d.value;
  }
}
