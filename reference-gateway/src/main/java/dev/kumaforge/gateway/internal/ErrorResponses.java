package dev.kumaforge.gateway.internal;

import dev.kumaforge.gateway.upstream.UpstreamFailure;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * The one place that builds error responses: {@code
 * {"error":{"code":..,"status":..,"message":..}}}.
 */
public final class ErrorResponses {
  private ErrorResponses() {}

  /** An error response with the given status, code and message. */
  public static HttpResponse of(int status, String code, String message, List<HttpHeader> headers) {
    return of(status, code, message, headers, List.of());
  }

  /** An error response that also lists {@code details} (for example every config error). */
  public static HttpResponse of(
      int status, String code, String message, List<HttpHeader> headers, List<String> details) {
    StringBuilder sb = new StringBuilder(96 + message.length());
    sb.append("{\"error\":{\"code\":");
    Json.quote(sb, code);
    sb.append(",\"status\":").append(status).append(",\"message\":");
    Json.quote(sb, message);
    if (!details.isEmpty()) {
      sb.append(",\"details\":[");
      for (int i = 0; i < details.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        Json.quote(sb, details.get(i));
      }
      sb.append(']');
    }
    sb.append("}}");
    return HttpResponse.create()
        .withStatus(StatusCodes.get(status))
        .withHeaders(headers)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, sb.toString()));
  }

  /** An error response for an upstream failure; {@code retryAfterSeconds < 0} adds no header. */
  public static HttpResponse of(UpstreamFailure f, String detail, long retryAfterSeconds) {
    List<HttpHeader> headers = new ArrayList<>(1);
    if (retryAfterSeconds >= 0) {
      headers.add(RawHeader.create("Retry-After", Long.toString(retryAfterSeconds)));
    }
    String message = detail == null || detail.isEmpty() ? f.message() : f.message() + ": " + detail;
    return of(f.status(), f.label(), message, headers);
  }

  /** 404 for a request no route matches. */
  public static HttpResponse noRoute(String method, String path) {
    return of(404, "no_route", "no route matches " + method + " " + path, List.of());
  }
}
