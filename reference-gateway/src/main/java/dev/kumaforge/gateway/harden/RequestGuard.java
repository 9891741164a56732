package dev.kumaforge.gateway.harden;

import dev.kumaforge.gateway.auth.AuthFailure;
import dev.kumaforge.gateway.auth.Authenticator;
import dev.kumaforge.gateway.config.Limits;
import dev.kumaforge.gateway.internal.ErrorResponses;
import dev.kumaforge.gateway.internal.Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Connection;

/**
 * The first step of the public listener, before routing, authentication and rate limiting.
 *
 * <pre>
 * path: normalise (//, dot segments, %2e) or refuse (%2F, %5C, backslash, %00)  -> 400
 * header bytes over limits.maxHeaderBytes                                       -> 431
 *   (401 when authorization/x-api-key alone push them over: a credential, not a size error)
 * Content-Length over limits.maxBodySize                                        -> 413
 * client headers the gateway owns are dropped: x-forge-*, X-Forwarded-*, X-Real-IP, Forwarded
 * streamed body limited in size and time ({@link BodyGuard})
 * </pre>
 */
public final class RequestGuard {
  /**
   * A checked request, or the answer that refuses it.
   *
   * @param request the request to continue with (normalised path, owned headers dropped)
   * @param refusal non-null when the request is refused
   * @param path an admitted request's path as {@code request.getUri().path()} renders it (rendered
   *     once here and routed on; null otherwise)
   */
  public record Result(HttpRequest request, HttpResponse refusal, String path) {
    Result(HttpRequest request, HttpResponse refusal) {
      this(request, refusal, null);
    }
  }

  private final Limits limits;

  /** A guard enforcing {@code limits}. */
  public RequestGuard(Limits limits) {
    this.limits = limits;
  }

  /** Checks and cleans {@code request}; a refused request's body is not read. */
  public Result apply(HttpRequest request) {
    String path = request.getUri().path();
    String normalized;
    try {
      normalized = PathNormalizer.normalize(path);
    } catch (PathNormalizer.Refused e) {
      return refuse(request, 400, "bad_path", e.getMessage());
    }
    HttpRequest out = request;
    String routed = path;
    if (normalized != path) {
      out = out.withUri(out.getUri().path(normalized));
      routed = out.getUri().path();
    }
    long headerBytes = 0;
    long credentialBytes = 0;
    boolean owned = false;
    for (HttpHeader h : request.getHeaders()) {
      long bytes = h.name().length() + h.value().length() + 4;
      headerBytes += bytes;
      String n = h.lowercaseName();
      owned |= Headers.isGatewayOwned(n);
      if ("authorization".equals(n) || "x-api-key".equals(n)) {
        credentialBytes += bytes;
      }
    }
    if (headerBytes > limits.maxHeaderBytes().bytes()) {
      if (credentialBytes > 0 && headerBytes - credentialBytes <= limits.maxHeaderBytes().bytes()) {
        // the credentials alone make it too large: an invalid credential, no size detail
        HttpResponse r = Authenticator.unauthorized(AuthFailure.MALFORMED);
        if (!request.entity().isKnownEmpty()) {
          r = r.addHeader(Connection.create("close"));
        }
        return new Result(request, r);
      }
      return refuse(
          request,
          431,
          "headers_too_large",
          "the request headers are larger than " + limits.maxHeaderBytes() + " (maxHeaderBytes)");
    }
    OptionalLong length = request.entity().getContentLengthOption();
    if (length.isPresent() && length.getAsLong() > limits.maxBodySize().bytes()) {
      return refuse(
          request,
          413,
          "body_too_large",
          "Content-Length "
              + length.getAsLong()
              + " is over the limit of "
              + limits.maxBodySize()
              + " (maxBodySize)");
    }
    if (owned) {
      List<HttpHeader> kept = new ArrayList<>();
      for (HttpHeader h : request.getHeaders()) {
        if (!Headers.isGatewayOwned(h.lowercaseName())) {
          kept.add(h);
        }
      }
      out = out.withHeaders(kept);
    }
    out = BodyGuard.wrap(out, limits.maxBodySize().bytes(), limits.bodyTimeout());
    return new Result(out, null, routed);
  }

  /** A refusal that closes the connection: the request body, if any, is not read. */
  private static Result refuse(HttpRequest request, int status, String code, String message) {
    boolean body = !request.entity().isKnownEmpty();
    HttpResponse r =
        ErrorResponses.of(
            status, code, message, body ? List.of(Connection.create("close")) : List.of());
    return new Result(request, r);
  }
}
