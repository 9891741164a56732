package dev.kumaforge.gateway.proxy;

import dev.kumaforge.common.tls.SpiffeId;
import dev.kumaforge.gateway.ai.AiGateway;
import dev.kumaforge.gateway.auth.AuthResult;
import dev.kumaforge.gateway.auth.Authenticator;
import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.gateway.harden.BodyGuard;
import dev.kumaforge.gateway.harden.LlmBodies;
import dev.kumaforge.gateway.harden.RequestGuard;
import dev.kumaforge.gateway.internal.ErrorResponses;
import dev.kumaforge.gateway.internal.Headers;
import dev.kumaforge.gateway.ratelimit.LocalRateLimiter;
import dev.kumaforge.gateway.ratelimit.RedisRateLimiter;
import dev.kumaforge.gateway.routing.Router;
import dev.kumaforge.gateway.tls.ClientIdentity;
import dev.kumaforge.gateway.tls.TrafficPermission;
import dev.kumaforge.gateway.upstream.BackendRuntime;
import dev.kumaforge.gateway.upstream.Endpoint;
import dev.kumaforge.gateway.upstream.PekkoHeaders;
import dev.kumaforge.gateway.upstream.UpstreamFailure;
import dev.kumaforge.gateway.upstream.UpstreamQueue;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.SslSessionInfo;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * The public listener's handler.
 *
 * <pre>
 * request -> {@link RequestGuard}: normalise the path, limits, drop gateway-owned headers (400/413/431)
 *   -> route match (404) -> trafficPermission by client SPIFFE ID (403) -> authenticate (401)
 *   -> local or shared (Redis) rate limit (429; 503 failing closed) -> redirect filter (3xx)
 *   -> strip hop-by-hop, set X-Forwarded-For, x-request-id, traceparent, x-forge-client-identity,
 *      x-forge-consumer
 *   -> header modifier, URL rewrite -> weighted backend -> {@link Exchange}: circuit breaker, endpoint,
 *      timeouts, retries -> streamed response
 * </pre>
 */
public final class ProxyHandler
    implements org.apache.pekko.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> {
  /** Route label for requests no route matched. */
  public static final String NO_ROUTE = "_none";

  private static final long MAX_MIRROR_BYTES = 1 << 20;

  private final Supplier<Snapshot> snapshot;
  private final ProxyContext ctx;
  private final AiGateway ai;
  private final RequestGuard guard;

  public ProxyHandler(Supplier<Snapshot> snapshot, ProxyContext ctx) {
    this(snapshot, ctx, null);
  }

  /** A handler whose routes with {@code llm: true} are served by {@code ai}. */
  public ProxyHandler(Supplier<Snapshot> snapshot, ProxyContext ctx, AiGateway ai) {
    this.snapshot = snapshot;
    this.ctx = ctx;
    this.ai = ai;
    this.guard =
        new RequestGuard(snapshot.get().config().listeners().get(GatewayConfig.PUBLIC).limits());
  }

  @Override
  public CompletionStage<HttpResponse> apply(HttpRequest request) {
    try {
      return handle(request);
    } catch (RuntimeException e) {
      return internalError(request, e);
    }
  }

  private CompletionStage<HttpResponse> internalError(HttpRequest request, RuntimeException e) {
    ctx.log().error(e, "request handling failed");
    request.discardEntityBytes(ctx.materializer());
    return CompletableFuture.completedFuture(
        ErrorResponses.of(500, "internal_error", "the gateway failed: " + e, List.of()));
  }

  private CompletionStage<HttpResponse> handle(HttpRequest received) {
    long start = ctx.clock().nanoTime();
    RequestGuard.Result checked = guard.apply(received);
    if (checked.refusal() != null) {
      ctx.metrics().request(NO_ROUTE, checked.refusal().status().intValue(), 0);
      return CompletableFuture.completedFuture(checked.refusal());
    }
    if (BodyGuard.needsReadAhead(checked.request())) {
      return BodyGuard.readAhead(checked.request(), ctx.materializer())
          .thenComposeAsync(
              r -> {
                if (r.refusal() != null) {
                  return CompletableFuture.completedFuture(r.refusal());
                }
                try {
                  return route(r.request(), checked.path(), start);
                } catch (RuntimeException e) {
                  return internalError(r.request(), e);
                }
              },
              ctx.dispatcher());
    }
    return route(checked.request(), checked.path(), start);
  }

  /** Routes {@code request}, whose (normalized) path is {@code path}. */
  private CompletionStage<HttpResponse> route(HttpRequest request, String path, long start) {
    Snapshot snap = snapshot.get();
    Router<RouteRuntime> router = snap.router();
    int index = router.index(request, path);
    if (index < 0) {
      request.discardEntityBytes(ctx.materializer());
      HttpResponse r = ErrorResponses.noRoute(request.method().value(), path);
      ctx.metrics().request(NO_ROUTE, 404, ctx.clock().nanoTime() - start);
      return CompletableFuture.completedFuture(r);
    }
    RouteRuntime route = router.target(index);
    SpiffeId identity = clientIdentity(request);
    TrafficPermission permission = route.trafficPermission();
    if (permission != null && !permission.allows(identity)) {
      request.discardEntityBytes(ctx.materializer());
      ctx.metrics().request(route.name(), 403, ctx.clock().nanoTime() - start);
      return CompletableFuture.completedFuture(
          ErrorResponses.of(
              403,
              "forbidden",
              (identity == null ? "a client without a SPIFFE identity" : "client " + identity)
                  + " is not allowed on route "
                  + route.name(),
              List.of()));
    }
    CompletableFuture<AuthResult> auth =
        snap.authenticator().authenticate(route.name(), request).toCompletableFuture();
    if (auth.isDone()) {
      return routed(request, snap, index, route, identity, auth.join(), start);
    }
    return auth.thenComposeAsync(
        a -> {
          try {
            return routed(request, snap, index, route, identity, a, start);
          } catch (RuntimeException e) {
            return internalError(request, e);
          }
        },
        ctx.dispatcher());
  }

  /** Everything after route match and authentication. */
  private CompletionStage<HttpResponse> routed(
      HttpRequest request,
      Snapshot snap,
      int index,
      RouteRuntime route,
      SpiffeId identity,
      AuthResult auth,
      long start) {
    if (!auth.allowed()) {
      request.discardEntityBytes(ctx.materializer());
      ctx.metrics().authFailure(route.name(), auth.failure().label());
      HttpResponse r =
          route.llm() && ai != null
              ? ai.unauthorized(request, auth.failure())
              : Authenticator.unauthorized(auth.failure());
      ctx.metrics().request(route.name(), 401, ctx.clock().nanoTime() - start);
      return CompletableFuture.completedFuture(r);
    }
    if (auth.identity() != null) {
      request = request.addAttribute(Authenticator.IDENTITY, auth.identity());
    }
    String clientIp = clientIp(request);
    LocalRateLimiter limiter = route.rateLimiter();
    if (limiter != null) {
      LocalRateLimiter.Refusal refusal = limiter.check(request, clientIp);
      if (refusal != null) {
        return refuse(request, route, refusal, "local", start);
      }
    }
    RedisRateLimiter shared = route.sharedLimiter();
    if (shared != null) {
      HttpRequest checked = request;
      // decided on a Lettuce or timer thread; the request goes on on the dispatcher
      return shared
          .check(checked, clientIp)
          .thenComposeAsync(
              refusal ->
                  refusal != null
                      ? refuse(checked, route, refusal, "shared", start)
                      : admitted(checked, snap, index, route, clientIp, auth, identity, start),
              ctx.dispatcher());
    }
    return admitted(request, snap, index, route, clientIp, auth, identity, start);
  }

  private CompletionStage<HttpResponse> refuse(
      HttpRequest request,
      RouteRuntime route,
      LocalRateLimiter.Refusal refusal,
      String kind,
      long start) {
    request.discardEntityBytes(ctx.materializer());
    List<HttpHeader> headers = new ArrayList<>(refusal.headers());
    headers.add(RawHeader.create("Retry-After", Long.toString(refusal.retryAfterSeconds())));
    HttpResponse r;
    if (refusal.unavailable()) {
      r =
          ErrorResponses.of(
              503,
              "rate_limiter_unavailable",
              "the shared rate limit of route " + route.name() + " cannot be decided (Redis)",
              headers);
    } else {
      ctx.metrics().rateLimited(route.name());
      UpstreamFailure f = UpstreamFailure.RATE_LIMITED;
      r =
          ErrorResponses.of(
              f.status(), f.label(), kind + " rate limit of route " + route.name(), headers);
    }
    ctx.metrics().request(route.name(), r.status().intValue(), ctx.clock().nanoTime() - start);
    return CompletableFuture.completedFuture(r);
  }

  private CompletionStage<HttpResponse> admitted(
      HttpRequest request,
      Snapshot snap,
      int index,
      RouteRuntime route,
      String clientIp,
      AuthResult auth,
      SpiffeId identity,
      long start) {
    Router<RouteRuntime> router = snap.router();
    if (route.llm() && ai != null) {
      RequestGuard.Result decoded = LlmBodies.decode(request);
      if (decoded.refusal() != null) {
        ctx.metrics()
            .request(
                route.name(),
                decoded.refusal().status().intValue(),
                ctx.clock().nanoTime() - start);
        return CompletableFuture.completedFuture(decoded.refusal());
      }
      HttpRequest llmRequest = decoded.request();
      if (identity != null) {
        // a client-sent value was dropped by RequestGuard (x-forge-*); the AI call sends this one
        llmRequest =
            llmRequest.addHeader(RawHeader.create(Headers.CLIENT_IDENTITY, identity.toString()));
      }
      HttpRequest llm = llmRequest;
      return ai.handle(llm, snap, start)
          .thenApply(
              answer -> {
                HttpResponse refused = BodyGuard.refusal(llm);
                HttpResponse r = refused == null ? answer : refused;
                if (refused != null) {
                  answer.discardEntityBytes(ctx.materializer());
                }
                ctx.metrics()
                    .request(route.name(), r.status().intValue(), ctx.clock().nanoTime() - start);
                return r;
              });
    }
    RouteFilters filters = route.filters();
    HttpResponse redirect = filters.redirect(request);
    if (redirect != null) {
      request.discardEntityBytes(ctx.materializer());
      ctx.metrics()
          .request(route.name(), redirect.status().intValue(), ctx.clock().nanoTime() - start);
      return CompletableFuture.completedFuture(redirect);
    }
    GatewayConfig.Tracing tracing = snap.config().tracing();
    List<HttpHeader> headers =
        Headers.forUpstream(
            request.getHeaders(),
            clientIp,
            request.getUri().getScheme(),
            tracing.requestId(),
            tracing.traceparent(),
            auth.identity() == null ? null : auth.identity().consumer(),
            auth.stripCredentials());
    if (identity != null) {
      headers.add(RawHeader.create(Headers.CLIENT_IDENTITY, identity.toString()));
    }
    HttpRequest upstream =
        filters.isEmpty()
            ? PekkoHeaders.withHeaders(request, headers)
            : filters.applyToRequest(request, headers, router.prefix(index));
    if (route.mirror() != null && !(upstream.entity() instanceof HttpEntity.Strict)) {
      OptionalLong length = upstream.entity().getContentLengthOption();
      if (length.isPresent() && length.getAsLong() <= MAX_MIRROR_BYTES) {
        // the body is read into memory first so both copies can be sent
        long timeoutMs = route.pickBackend().config().timeouts().http().requestTimeout().toMillis();
        HttpRequest streamed = upstream;
        return upstream
            .entity()
            .toStrict(timeoutMs, ctx.materializer())
            .handleAsync(
                (strict, err) ->
                    err == null
                        ? forward(route, streamed.withEntity(strict), start)
                        : CompletableFuture.completedFuture(
                            ErrorResponses.of(
                                400,
                                "bad_request",
                                "cannot read the request body: " + err.getMessage(),
                                List.of())),
                ctx.dispatcher())
            .thenComposeAsync(stage -> stage, ctx.dispatcher());
      }
    }
    return forward(route, upstream, start);
  }

  private CompletionStage<HttpResponse> forward(
      RouteRuntime route, HttpRequest upstream, long start) {
    if (route.mirror() != null) {
      mirror(route, upstream);
    }
    BackendRuntime backend = route.pickBackend();
    return new Exchange(ctx, route, backend, upstream, start).run();
  }

  /** Sends a copy of {@code request} to the route's mirror backend; the response is dropped. */
  private void mirror(RouteRuntime route, HttpRequest request) {
    double pct = route.filters().mirror().percentage();
    if (!(request.entity() instanceof HttpEntity.Strict)
        || (pct < 100 && ThreadLocalRandom.current().nextDouble(100) >= pct)) {
      return;
    }
    BackendRuntime m = route.mirror();
    Endpoint ep = m.pick(request, ctx.clock().nanoTime());
    if (ep == null) {
      return;
    }
    int index = m.indexOf(ep);
    UpstreamQueue queue = m.queue(index, e -> ctx.newQueue(m, e));
    queue.offer(
        request.withUri(request.getUri().toRelative()),
        result -> {
          if (result.isSuccess()) {
            result.get().discardEntityBytes(ctx.materializer());
          }
          ctx.metrics().mirrored(m.name(), result.isSuccess());
        });
  }

  /** The mTLS client's verified SPIFFE ID, or null (plain listener, no client certificate). */
  private static SpiffeId clientIdentity(HttpRequest request) {
    Optional<SslSessionInfo> ssl = request.getAttribute(AttributeKeys.sslSession);
    return ssl.isEmpty() ? null : ClientIdentity.of(ssl.get().getSession());
  }

  private static String clientIp(HttpRequest request) {
    Optional<RemoteAddress> remote = request.getAttribute(AttributeKeys.remoteAddress);
    if (remote.isEmpty()) {
      return null;
    }
    Optional<InetAddress> address = remote.get().getAddress();
    return address.map(InetAddress::getHostAddress).orElse(null);
  }
}
