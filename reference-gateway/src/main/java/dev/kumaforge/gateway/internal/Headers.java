package dev.kumaforge.gateway.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * Hop-by-hop header removal, X-Forwarded-For and the gateway-owned identity header for proxied
 * messages.
 */
public final class Headers {
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
          "x-forwarded-for");

  private Headers() {}

  /**
   * Request headers without hop-by-hop ones (and those listed in Connection), plus XFF, and
   * optionally {@code x-request-id} (kept or created) and {@code traceparent} (new span id, or a
   * new trace).
   */
  public static List<HttpHeader> forUpstream(
      Iterable<HttpHeader> headers, String clientIp, boolean requestId, boolean traceparent) {
    return forUpstream(headers, clientIp, requestId, traceparent, null, false);
  }

  /**
   * As {@link #forUpstream(Iterable, String, boolean, boolean)}, plus {@code x-forge-consumer:
   * consumer} when {@code consumer} is not null, and without {@code authorization} and {@code
   * x-api-key} when {@code stripCredentials}.
   */
  public static List<HttpHeader> forUpstream(
      Iterable<HttpHeader> headers,
      String clientIp,
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
      if (CONSUMER.equals(n)
          || (stripCredentials && ("authorization".equals(n) || "x-api-key".equals(n)))) {
        continue;
      }
      if (!HOP_BY_HOP.contains(n) && (listed == null || !listed.contains(n))) {
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
