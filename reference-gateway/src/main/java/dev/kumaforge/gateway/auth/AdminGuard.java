package dev.kumaforge.gateway.auth;

import dev.kumaforge.gateway.consumer.ApiKeyHash;
import dev.kumaforge.gateway.internal.ErrorResponses;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.Materializer;

/**
 * Requires {@code Authorization: Bearer TOKEN} matching {@code listeners.admin.authentication
 * .tokenHash} on every admin request; anything else gets 401 and never reaches the admin handler.
 */
public final class AdminGuard implements Function<HttpRequest, CompletionStage<HttpResponse>> {
  private final String tokenHash;
  private final Function<HttpRequest, CompletionStage<HttpResponse>> admin;
  private final Materializer materializer;

  /** Guards {@code admin} with {@code tokenHash} (an {@link ApiKeyHash}). */
  public AdminGuard(
      String tokenHash,
      Function<HttpRequest, CompletionStage<HttpResponse>> admin,
      Materializer materializer) {
    this.tokenHash = tokenHash;
    this.admin = admin;
    this.materializer = materializer;
  }

  @Override
  public CompletionStage<HttpResponse> apply(HttpRequest request) throws Exception {
    if (authorized(request)) {
      return admin.apply(request);
    }
    request.discardEntityBytes(materializer);
    return CompletableFuture.completedFuture(
        ErrorResponses.of(
            401,
            "unauthorized",
            "the admin listener requires Authorization: Bearer <admin token>",
            List.of(RawHeader.create("WWW-Authenticate", "Bearer realm=\"forge-admin\""))));
  }

  private boolean authorized(HttpRequest request) {
    String token = null;
    for (HttpHeader h : request.getHeaders()) {
      if ("authorization".equals(h.lowercaseName())) {
        if (token != null) {
          return false;
        }
        String v = h.value();
        token = v.regionMatches(true, 0, "Bearer ", 0, 7) ? v.substring(7).strip() : "";
      }
    }
    return token != null && !token.isEmpty() && ApiKeyHash.matches(tokenHash, token);
  }
}
