package dev.kumaforge.gateway.upstream.netty;

import dev.kumaforge.gateway.upstream.PekkoHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * Netty response head -> Pekko response: status, headers and the entity's content type. The headers
 * Pekko derives from the entity (Content-Type, Content-Length, Transfer-Encoding) and Connection
 * are left out (and {@code x-http2-stream-id}, which Netty's HTTP/2 conversion adds); Date and
 * Server become Pekko's modelled headers (the server would drop them as raw headers); parsed
 * content types and statuses are cached.
 */
public final class Responses {
  private static final int CACHE_LIMIT = 256;

  /** Added by Netty's HTTP/2-to-HTTP conversion (h2c streams); never forwarded. */
  private static final AsciiString STREAM_ID =
      io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text();

  private static final StatusCode[] STATUSES = new StatusCode[600];
  private static final Map<String, ContentType> CONTENT_TYPES = new ConcurrentHashMap<>();
  private static final Map<String, HttpHeader> DATES = new ConcurrentHashMap<>();
  private static final Map<String, HttpHeader> SERVERS = new ConcurrentHashMap<>();

  private Responses() {}

  /** The Pekko status for {@code code}. */
  static StatusCode status(int code) {
    if (code < 0 || code >= STATUSES.length) {
      return lookup(code);
    }
    StatusCode s = STATUSES[code];
    if (s == null) {
      s = lookup(code);
      STATUSES[code] = s;
    }
    return s;
  }

  /**
   * Pekko's status for {@code code}, or a custom one for codes Pekko does not know (Anthropic's 529
   * overloaded_error), as Pekko's own client parser does.
   */
  private static StatusCode lookup(int code) {
    try {
      return StatusCodes.get(code);
    } catch (RuntimeException unknown) {
      String reason = io.netty.handler.codec.http.HttpResponseStatus.valueOf(code).reasonPhrase();
      return StatusCodes.custom(code, reason, reason, code < 400, true);
    }
  }

  /**
   * The entity's content type from the Content-Type header (parsed once per distinct value);
   * absent: none; unparsable: application/octet-stream.
   */
  public static ContentType contentType(HttpHeaders headers) {
    String value = headers.get(HttpHeaderNames.CONTENT_TYPE);
    if (value == null) {
      return ContentTypes.NO_CONTENT_TYPE;
    }
    ContentType ct = CONTENT_TYPES.get(value);
    if (ct == null) {
      try {
        ct = ContentTypes.parse(value);
      } catch (IllegalArgumentException e) {
        return ContentTypes.APPLICATION_OCTET_STREAM;
      }
      if (CONTENT_TYPES.size() < CACHE_LIMIT) {
        CONTENT_TYPES.put(value, ct);
      }
    }
    return ct;
  }

  /** A Pekko response with {@code headers} (without those derived from the entity) and entity. */
  static HttpResponse toPekko(int code, HttpHeaders headers, ResponseEntity entity) {
    List<HttpHeader> list = new ArrayList<>(headers.size());
    Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
    while (it.hasNext()) {
      Map.Entry<CharSequence, CharSequence> e = it.next();
      CharSequence name = e.getKey();
      if (skipped(name)) {
        continue;
      }
      if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.DATE)
          || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.SERVER)) {
        HttpHeader h = modelled(name.toString(), e.getValue().toString());
        if (h != null) {
          list.add(h);
        }
      } else {
        list.add(RawHeader.create(name.toString(), e.getValue().toString()));
      }
    }
    return PekkoHeaders.response(status(code), list, entity);
  }

  private static boolean skipped(CharSequence name) {
    return AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONTENT_TYPE)
        || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONTENT_LENGTH)
        || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRANSFER_ENCODING)
        || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION)
        || AsciiString.contentEqualsIgnoreCase(name, STREAM_ID);
  }

  /** Date and Server parsed into Pekko's model (cached by value); unparseable ones are dropped. */
  private static HttpHeader modelled(String name, String value) {
    boolean date = name.length() == 4;
    Map<String, HttpHeader> cache = date ? DATES : SERVERS;
    HttpHeader h = cache.get(value);
    if (h == null) {
      try {
        h = HttpHeader.parse(date ? "Date" : "Server", value);
      } catch (RuntimeException e) {
        return null;
      }
      if (h instanceof RawHeader) {
        return null;
      }
      if (cache.size() >= CACHE_LIMIT) {
        cache.clear(); // Date changes every second
      }
      cache.put(value, h);
    }
    return h;
  }
}
