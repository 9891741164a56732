package dev.kumaforge.gateway.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * Hop-by-hop header removal and the forwarding headers of proxied messages.
 *
 * <p>Client-sent X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host, X-Real-IP, Forwarded and
 * every {@code x-forge-} header are dropped; the gateway overwrites X-Forwarded-For and X-Real-IP
 * with the client's address and X-Forwarded-Proto with the listener's scheme (it is the edge: it
 * does not trust a chain it cannot verify). {@code Connection: <name>} never removes end-to-end
 * headers that identify, route or frame the request (see {@link #PROTECTED}).
 */
public final class Headers {
  /**
   * Names a client's {@code Connection} header cannot nominate for removal: the gateway adds or
   * relies on them.
   */
  private static final Set<String> PROTECTED =
      Set.of(
          "host",
          "authorization",
          "x-api-key",
          "cookie",
          "content-type",
          "content-length",
          "content-encoding",
          "x-request-id",
          "traceparent",
          "tracestate");

  /**
   * The client's verified SPIFFE ID, set by the gateway on mTLS listeners; a client-sent value is
   * always removed.
   */
  public static final String CLIENT_IDENTITY = "x-forge-client-identity";

  /** Carries the authenticated consumer upstream; a client's copy is always removed. */
  public static final String CONSUMER = "x-forge-consumer";

  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-authenticate",
          "proxy-authorization",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "timeout-access",
          "remote-address",
          "x-forwarded-for",
          CLIENT_IDENTITY);

  private Headers() {}

  /**
   * Whether a client-sent header with this lower-case name is dropped because the gateway owns it
   * ({@code x-forge-} prefix and the forwarding headers).
   */
  public static boolean isGatewayOwned(String lowerName) {
    return lowerName.startsWith("x-forge-")
        || lowerName.startsWith("x-forwarded-")
        || "x-real-ip".equals(lowerName)
        || "forwarded".equals(lowerName);
  }

  /**
   * Request headers without hop-by-hop ones (and those listed in Connection, except {@link
   * #PROTECTED} names) and without gateway-owned ones, plus X-Forwarded-For, X-Real-IP,
   * X-Forwarded-Proto and optionally {@code x-request-id} (kept or created) and {@code traceparent}
   * (new span id, or a new trace); plus {@code x-forge-consumer: consumer} when {@code consumer} is
   * not null, and without {@code authorization} and {@code x-api-key} when {@code
   * stripCredentials}.
   *
   * @param scheme the listener's scheme ({@code http} or {@code https}), or null
   */
  public static List<HttpHeader> forUpstream(
      Iterable<HttpHeader> headers,
      String clientIp,
      String scheme,
      boolean requestId,
      boolean traceparent,
      String consumer,
      boolean stripCredentials) {
    List<HttpHeader> out = new ArrayList<>(16);
    Set<String> listed = connectionListed(headers);
    boolean hasRequestId = false;
    String parent = null;
    for (HttpHeader h : headers) {
      String n = h.lowercaseName();
      if (stripCredentials && ("authorization".equals(n) || "x-api-key".equals(n))) {
        continue;
      }
      if (!HOP_BY_HOP.contains(n)
          && !isGatewayOwned(n)
          && (listed == null || PROTECTED.contains(n) || !listed.contains(n))) {
        if (traceparent && "traceparent".equals(n)) {
          parent = h.value();
          continue;
        }
        hasRequestId |= "x-request-id".equals(n);
        out.add(h);
      }
    }
    if (clientIp != null) {
      out.add(RawHeader.create("X-Forwarded-For", clientIp));
      out.add(RawHeader.create("X-Real-IP", clientIp));
    }
    if (scheme != null && !scheme.isEmpty()) {
      out.add(RawHeader.create("X-Forwarded-Proto", scheme));
    }
    if (consumer != null) {
      out.add(RawHeader.create(CONSUMER, consumer));
    }
    if (requestId && !hasRequestId) {
      out.add(RawHeader.create("x-request-id", TraceContext.newRequestId()));
    }
    if (traceparent) {
      out.add(RawHeader.create("traceparent", TraceContext.child(parent)));
    }
    return out;
  }

  /** Response headers without hop-by-hop ones, or null when there is nothing to remove. */
  public static List<HttpHeader> forClient(Iterable<HttpHeader> headers) {
    boolean any = false;
    for (HttpHeader h : headers) {
      if (isHopByHop(h.lowercaseName())) {
        any = true;
        break;
      }
    }
    if (!any) {
      return null;
    }
    Set<String> listed = connectionListed(headers);
    List<HttpHeader> out = new ArrayList<>();
    for (HttpHeader h : headers) {
      String n = h.lowercaseName();
      if (!isHopByHop(n) && (listed == null || !listed.contains(n))) {
        out.add(h);
      }
    }
    return out;
  }

  private static boolean isHopByHop(String lowerName) {
    return HOP_BY_HOP.contains(lowerName) && !"x-forwarded-for".equals(lowerName);
  }

  private static Set<String> connectionListed(Iterable<HttpHeader> headers) {
    Set<String> listed = null;
    for (HttpHeader h : headers) {
      if (h.is("connection")) {
        for (String token : h.value().split(",")) {
          String t = token.trim().toLowerCase(Locale.ROOT);
          if (!t.isEmpty() && !"close".equals(t) && !"keep-alive".equals(t)) {
            if (listed == null) {
              listed = new java.util.HashSet<>();
            }
            listed.add(t);
          }
        }
      }
    }
    return listed;
  }
}
