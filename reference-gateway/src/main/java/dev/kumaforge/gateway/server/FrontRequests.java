package dev.kumaforge.gateway.server;

import dev.kumaforge.gateway.auth.AuthFailure;
import dev.kumaforge.gateway.auth.Authenticator;
import dev.kumaforge.gateway.internal.ErrorResponses;
import dev.kumaforge.gateway.upstream.netty.Responses;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.InvalidLineSeparatorException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.TransferEncodingNotAllowedException;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSession;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpProtocols;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.SslSessionInfo;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.scaladsl.model.HttpMethod;
import org.apache.pekko.http.scaladsl.model.HttpProtocol;
import org.apache.pekko.http.scaladsl.model.HttpRequest;
import org.apache.pekko.http.scaladsl.model.IllegalUriException;
import org.apache.pekko.http.scaladsl.model.RequestEntity;
import org.apache.pekko.http.scaladsl.model.Uri;
import org.apache.pekko.http.scaladsl.model.headers.Host;
import org.parboiled2.ParserInput;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The Netty front's request side: the checks Pekko's parser (and {@link HeaderScan}) make that
 * Netty's strict decoder does not, the answers to what either refuses (the gateway's JSON error
 * body, {@code Connection: close}), and a decoded head as Pekko's request model with the attributes
 * Pekko's server layer puts on it (remote address, TLS session).
 */
final class FrontRequests {
  private static final List<HttpHeader> CLOSE = List.of(Connection.create("close"));

  private final int maxUri;
  private final int maxHeaderCount;
  private final int maxHeaderValue;
  private final int maxCredential;
  private final boolean secure;
  private final Host defaultHost;
  private final ConnectionGuard.Limits limits;
  private final Uri.ParsingMode uriMode;

  /**
   * @param maxCredential an {@code authorization} or {@code x-api-key} value longer than this is
   *     refused with 401 (as {@link HeaderScan} does), before the value limit would answer 431
   */
  FrontRequests(
      int maxUri,
      int maxHeaderCount,
      int maxHeaderValue,
      int maxCredential,
      boolean secure,
      Host defaultHost,
      Uri.ParsingMode uriMode,
      ConnectionGuard.Limits limits) {
    this.uriMode = uriMode;
    this.maxUri = maxUri;
    this.maxHeaderCount = maxHeaderCount;
    this.maxHeaderValue = maxHeaderValue;
    this.maxCredential = maxCredential;
    this.secure = secure;
    this.defaultHost = defaultHost;
    this.limits = limits;
  }

  /** The answer to a head Netty's decoder refused (it closes the connection). */
  HttpResponse decodeFailure(Throwable cause) {
    if (cause instanceof InvalidLineSeparatorException) {
      return scanRefusal(HeaderScan.Refusal.BARE_LF);
    }
    if (cause instanceof TransferEncodingNotAllowedException) {
      return scanRefusal(HeaderScan.Refusal.TE_HTTP10);
    }
    if (cause instanceof TooLongHttpLineException) {
      return refuse(
          414,
          "uri_too_long",
          "URI length exceeds the configured limit of " + maxUri + " characters");
    }
    if (cause instanceof TooLongFrameException) { // the header section (the line is above)
      return refuse(431, "headers_too_large", "the request headers are too large");
    }
    String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    return refuse(400, "bad_request", "Illegal request: " + message);
  }

  /** The answer to a body Netty's decoder refused in the head's read (chunk framing). */
  HttpResponse bodyFailure(Throwable cause) {
    String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    return refuse(400, "bad_request", "Illegal request body: " + message);
  }

  /**
   * What Pekko's parser refuses of a decoded head and Netty's does not, or null: an unknown method
   * (501), an HTTP version other than 1.0 and 1.1 (505), a URI over the limit (414), too many
   * headers or a value over the limit (431; an oversized credential 401), no or several {@code
   * Host} headers on HTTP/1.1 (400), a body on TRACE (422).
   */
  HttpResponse check(io.netty.handler.codec.http.HttpRequest head) {
    String method = head.method().name();
    if (HttpMethods.lookup(method).isEmpty()) {
      return refuse(501, "not_implemented", "Unsupported HTTP method: " + method);
    }
    HttpVersion v = head.protocolVersion();
    if (v.majorVersion() != 1 || v.minorVersion() > 1) {
      return refuse(
          505,
          "http_version_not_supported",
          "The server does not support the HTTP protocol version");
    }
    if (head.uri().length() > maxUri) {
      return refuse(
          414,
          "uri_too_long",
          "URI length exceeds the configured limit of " + maxUri + " characters");
    }
    HttpHeaders headers = head.headers();
    if (headers.size() > maxHeaderCount) {
      return refuse(
          431,
          "headers_too_large",
          "HTTP message contains more than the configured limit of " + maxHeaderCount + " headers");
    }
    int hosts = 0;
    Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
    while (it.hasNext()) {
      Map.Entry<CharSequence, CharSequence> e = it.next();
      CharSequence name = e.getKey();
      int length = e.getValue().length();
      if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.HOST)) {
        hosts++;
      } else if (length > maxCredential
          && (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.AUTHORIZATION)
              || AsciiString.contentEqualsIgnoreCase(name, "x-api-key"))) {
        return scanRefusal(HeaderScan.Refusal.CREDENTIAL_TOO_LARGE);
      }
      if (length > maxHeaderValue) {
        return refuse(
            431,
            "headers_too_large",
            "HTTP header value exceeds the configured limit of " + maxHeaderValue + " characters");
      }
    }
    if (hosts > 1) {
      return refuse(400, "bad_request", "HTTP message must not contain more than one Host header");
    }
    if (hosts == 0 && v.minorVersion() == 1) {
      return refuse(400, "bad_request", "Request is missing required `Host` header");
    }
    if ("TRACE".equals(method)
        && (HttpUtil.isTransferEncodingChunked(head) || HttpUtil.getContentLength(head, 0L) > 0)) {
      return refuse(422, "bad_request", "TRACE requests must not have an entity");
    }
    return null;
  }

  /**
   * {@code head} as Pekko's request with {@code entity} (from {@link #contentType}), its URI made
   * absolute from the Host header as Pekko's server layer does; an {@link IllegalUriException} for
   * a target Pekko's strict URI parser refuses.
   */
  org.apache.pekko.http.javadsl.model.HttpRequest toPekko(
      io.netty.handler.codec.http.HttpRequest head,
      RequestEntity entity,
      InetSocketAddress remote,
      SSLSession session) {
    HttpHeaders nh = head.headers();
    List<HttpHeader> headers = new ArrayList<>(nh.size());
    Iterator<Map.Entry<CharSequence, CharSequence>> it = nh.iteratorCharSequence();
    while (it.hasNext()) {
      Map.Entry<CharSequence, CharSequence> e = it.next();
      CharSequence name = e.getKey();
      if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONTENT_TYPE)
          || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONTENT_LENGTH)
          || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRANSFER_ENCODING)) {
        continue; // the entity's
      }
      String value = e.getValue().toString();
      if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.HOST)) {
        // modelled, as Pekko's parser has it: the effective URI comes from it, and it is not
        // rendered into the upstream request as a raw header would be
        headers.add(HttpHeader.parse("Host", value));
      } else {
        headers.add(RawHeader.create(name.toString(), value));
      }
    }
    Uri target =
        Uri.parseHttpRequestTarget(ParserInput.apply(head.uri()), StandardCharsets.UTF_8, uriMode);
    HttpMethod method = (HttpMethod) HttpMethods.lookup(head.method().name()).get();
    HttpRequest request =
        HttpRequest.apply(
            method,
            target,
            scalaHeaders(headers),
            entity,
            (HttpProtocol)
                (head.protocolVersion().minorVersion() == 0
                    ? HttpProtocols.HTTP_1_0
                    : HttpProtocols.HTTP_1_1));
    request = request.withEffectiveUri(secure, defaultHost);
    org.apache.pekko.http.javadsl.model.HttpRequest out = request;
    out = out.addAttribute(AttributeKeys.remoteAddress, RemoteAddress.create(remote));
    if (session != null) {
      out = out.addAttribute(AttributeKeys.sslSession, SslSessionInfo.create(session));
    }
    return out;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static scala.collection.immutable.Seq<org.apache.pekko.http.scaladsl.model.HttpHeader>
      scalaHeaders(List<HttpHeader> headers) {
    return (scala.collection.immutable.Seq) CollectionConverters.asScala(headers).toList();
  }

  /**
   * A request entity's content type from the head's {@code Content-Type}; application/octet-stream
   * when there is none (as Pekko's parser has it).
   */
  static ContentType contentType(io.netty.handler.codec.http.HttpRequest head) {
    ContentType ct = Responses.contentType(head.headers());
    return ct == ContentTypes.NO_CONTENT_TYPE ? ContentTypes.APPLICATION_OCTET_STREAM : ct;
  }

  /** A refusal from the byte-level checks, counted by check. */
  private HttpResponse scanRefusal(HeaderScan.Refusal refusal) {
    limits.scanRefusals[refusal.ordinal()].increment();
    if (refusal == HeaderScan.Refusal.CREDENTIAL_TOO_LARGE) {
      return Authenticator.unauthorized(AuthFailure.MALFORMED).addHeaders(CLOSE);
    }
    return ErrorResponses.of(400, "bad_request", refusal.message, CLOSE);
  }

  /** A refusal that closes the connection (the request's body, if any, is not read). */
  static HttpResponse refuse(int status, String code, String message) {
    return ErrorResponses.of(status, code, message, CLOSE);
  }
}
