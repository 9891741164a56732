package dev.kumaforge.gateway.proxy;

import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.harden.BodyGuard;
import dev.kumaforge.gateway.internal.ErrorResponses;
import dev.kumaforge.gateway.internal.Headers;
import dev.kumaforge.gateway.internal.Json;
import dev.kumaforge.gateway.internal.TryTimer;
import dev.kumaforge.gateway.upstream.BackendRuntime;
import dev.kumaforge.gateway.upstream.Endpoint;
import dev.kumaforge.gateway.upstream.PekkoHeaders;
import dev.kumaforge.gateway.upstream.UpstreamFailure;
import dev.kumaforge.gateway.upstream.UpstreamQueue;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.util.Try;

/**
 * One proxied request to one backend: circuit-breaker limits, endpoint choice, per-try and request
 * timeouts, MeshRetry with jittered exponential backoff and a retry budget. Retries happen only
 * before any response byte went to the client, and the client's request body is replayed only when
 * it is held in memory (read first when it may be sent again and is at most 1 MiB). A stream an
 * HTTP/2 upstream refused unprocessed ({@link UpstreamFailure#REFUSED_STREAM}) is sent again at
 * once, up to {@link UpstreamFailure#REFUSED_RETRIES} times, whatever the method and retryOn (not
 * counted against numRetries; within maxRetries and the retry budget).
 */
final class Exchange {
  private static final Logger ACCESS = LoggerFactory.getLogger("dev.kumaforge.gateway.access");
  private static final long MAX_REPLAY_BYTES = 1 << 20;

  private final ProxyContext ctx;
  private final String route;
  private final RouteFilters filters;
  private final BackendRuntime backend;
  private final Backend.MeshRetry retry;
  private final long start;
  private final long deadline;
  private final CompletableFuture<HttpResponse> result = new CompletableFuture<>();
  private HttpRequest request;
  private boolean replayable;
  private int attempt;
  private int refusedRetries;
  private boolean holdingRetrySlot;
  private boolean finished;

  Exchange(
      ProxyContext ctx,
      RouteRuntime route,
      BackendRuntime backend,
      HttpRequest request,
      long start) {
    this.ctx = ctx;
    this.route = route.name();
    this.filters = route.filters();
    this.backend = backend;
    this.retry = backend.config().retry();
    this.request = request;
    this.start = start;
    this.deadline = start + backend.config().timeouts().http().requestTimeout().toNanos();
  }

  CompletionStage<HttpResponse> run() {
    int max = backend.config().circuitBreaker().connectionLimits().maxRequests();
    if (backend.activeRequests().incrementAndGet() > max) {
      backend.activeRequests().decrementAndGet();
      request.discardEntityBytes(ctx.materializer());
      ctx.metrics().upstreamFailure(backend.name(), UpstreamFailure.CIRCUIT_OPEN.label());
      HttpResponse r =
          ErrorResponses.of(
              UpstreamFailure.CIRCUIT_OPEN,
              "backend " + backend.name() + " has " + max + " requests in flight (maxRequests)",
              1);
      ctx.metrics().request(route, r.status().intValue(), ctx.clock().nanoTime() - start);
      return CompletableFuture.completedFuture(r);
    }
    HttpEntity entity = request.entity();
    // HTTP/2: a refused stream may be sent again even without numRetries
    boolean mayResend =
        retry.numRetries() > 0 || backend.config().protocol() != Backend.Protocol.http1;
    if (!mayResend || entity instanceof HttpEntity.Strict) {
      // held in memory: MeshRetry retries (numRetries) and refused streams may send it again
      replayable = entity instanceof HttpEntity.Strict;
      tryOnce();
    } else {
      OptionalLong length = entity.getContentLengthOption();
      if (length.isPresent() && length.getAsLong() <= MAX_REPLAY_BYTES) {
        long timeoutMs = Math.max(1, (deadline - ctx.clock().nanoTime()) / 1_000_000);
        entity
            .toStrict(timeoutMs, ctx.materializer())
            .whenCompleteAsync(
                (strict, err) -> {
                  if (err != null) {
                    fail(
                        UpstreamFailure.RESET,
                        "reading the request body: " + UpstreamFailure.describe(err),
                        -1);
                  } else {
                    request = request.withEntity(strict);
                    replayable = true;
                    tryOnce();
                  }
                },
                ctx.dispatcher());
      } else {
        replayable = false;
        tryOnce();
      }
    }
    return result;
  }

  private void tryOnce() {
    long now = ctx.clock().nanoTime();
    long remaining = deadline - now;
    if (remaining <= 0) {
      releaseRetrySlot();
      fail(UpstreamFailure.READ_TIMEOUT, "request timeout reached before try " + (attempt + 1), -1);
      return;
    }
    Endpoint ep = backend.pick(request, now);
    if (ep == null) {
      releaseRetrySlot();
      fail(
          UpstreamFailure.CIRCUIT_OPEN,
          "every endpoint of backend " + backend.name() + " is ejected",
          backend.retryAfterSeconds(now));
      return;
    }
    int maxPending = backend.config().circuitBreaker().connectionLimits().maxPendingRequests();
    if (ep.active().get() >= backend.config().connectionPool().maxConnections()
        && backend.pendingRequests() >= maxPending) {
      releaseRetrySlot();
      fail(
          UpstreamFailure.POOL_OVERFLOW,
          "backend "
              + backend.name()
              + " has "
              + maxPending
              + " requests waiting for a connection (maxPendingRequests)",
          -1);
      return;
    }
    long tryTimeout = remaining;
    if (retry.perTryTimeout() != null) {
      tryTimeout = Math.min(tryTimeout, retry.perTryTimeout().toNanos());
    }
    Attempt a = new Attempt(ep);
    ep.active().incrementAndGet();
    HttpRequest r = request.withUri(request.getUri().toRelative());
    a.timer = TryTimer.schedule(a, tryTimeout);
    int index = backend.indexOf(ep);
    UpstreamQueue queue = backend.queue(index, e -> ctx.newQueue(backend, e));
    UpstreamQueue.Offer offer = queue.offer(r, a);
    if (offer == UpstreamQueue.Offer.CLOSED) {
      // the queue's stream ended (a retired snapshot, or a failure): one fresh queue, one more try
      queue = backend.replaceQueue(index, queue, e -> ctx.newQueue(backend, e));
      offer = queue.offer(r, a);
    }
    if (offer != UpstreamQueue.Offer.ENQUEUED) {
      a.refused();
    }
  }

  /** One try: completed by the response, a failure or its timer, whichever comes first. */
  private final class Attempt extends AtomicBoolean
      implements Runnable, TimerTask, UpstreamQueue.Callback {
    private static final long serialVersionUID = 1L;
    private final transient Endpoint endpoint;
    private transient volatile Timeout timer;
    private transient volatile Runnable abort;

    Attempt(Endpoint endpoint) {
      this.endpoint = endpoint;
    }

    /** The try timer fired (on the timer's thread): the timeout is handled on the dispatcher. */
    @Override
    public void run(Timeout timeout) {
      ctx.dispatcher().execute(this);
    }

    @Override
    public void run() {
      if (compareAndSet(false, true)) {
        Runnable a = abort;
        if (a != null) {
          a.run(); // the abandoned try's connection is closed (Netty transport)
        }
        onTryFailure(endpoint, UpstreamFailure.READ_TIMEOUT, "no response headers in time");
      }
    }

    @Override
    public boolean attached(Runnable abortTry) {
      this.abort = abortTry;
      return !get();
    }

    /** The endpoint's queue is full: POOL_OVERFLOW. */
    void refused() {
      endpoint.active().decrementAndGet();
      if (compareAndSet(false, true)) {
        Timeout t = timer;
        if (t != null) {
          t.cancel();
        }
        onTryFailure(endpoint, UpstreamFailure.POOL_OVERFLOW, "request queue full");
      }
    }

    @Override
    public void onResult(Try<HttpResponse> result) {
      if (result.isSuccess()) {
        accept(result.get(), null);
      } else {
        accept(null, result.failed().get());
      }
    }

    private void accept(HttpResponse response, Throwable error) {
      endpoint.active().decrementAndGet();
      if (!compareAndSet(false, true)) {
        if (response != null) {
          response.discardEntityBytes(ctx.materializer());
        }
        return;
      }
      Timeout t = timer;
      if (t != null) {
        t.cancel();
      }
      if (error != null) {
        UpstreamFailure kind = UpstreamFailure.classify(error);
        onTryFailure(endpoint, kind, UpstreamFailure.describe(error));
      } else {
        onResponse(endpoint, response);
      }
    }
  }

  private void onTryFailure(Endpoint ep, UpstreamFailure kind, String detail) {
    releaseRetrySlot();
    HttpResponse clientFault = BodyGuard.refusal(request);
    if (clientFault != null) {
      // the client's body failed (too large, too slow, malformed): not the endpoint's fault
      finish(clientFault);
      return;
    }
    if (kind != UpstreamFailure.POOL_OVERFLOW) {
      endpointFailed(ep, true, true);
    }
    if (kind == UpstreamFailure.REFUSED_STREAM
        && refusedRetries < UpstreamFailure.REFUSED_RETRIES
        && replayable
        && takeRetrySlot()) {
      // not processed by the peer (RFC 9113 8.7): sent again whatever the method and retryOn
      refusedRetries++;
      ctx.metrics().refusedRetry(backend.name());
      ctx.dispatcher().execute(this::tryOnce);
      return;
    }
    boolean methodOk =
        kind == UpstreamFailure.CONNECT_ERROR
            || kind == UpstreamFailure.TLS_ERROR
            || kind == UpstreamFailure.REFUSED_STREAM
            || idempotentOrAllowed();
    if (methodOk && backend.retryOnFailure(kind) && mayRetry()) {
      ctx.metrics().upstreamFailure(backend.name(), kind.label());
      scheduleRetry(backoffNanos(-1));
    } else {
      fail(kind, ep.authority() + ": " + detail, -1);
    }
  }

  private void onResponse(Endpoint ep, HttpResponse response) {
    releaseRetrySlot();
    int status = response.status().intValue();
    if (status >= 500) {
      endpointFailed(ep, status == 502 || status == 503 || status == 504, false);
    } else {
      ep.health().onSuccess();
    }
    if (backend.retryOnStatus(status) && idempotentOrAllowed()) {
      long delay = backoffNanos(retryAfterNanos(response));
      if (ctx.clock().nanoTime() + delay < deadline && mayRetry()) {
        response.discardEntityBytes(ctx.materializer());
        scheduleRetry(delay);
        return;
      }
    }
    List<HttpHeader> headers = Headers.forClient(response.getHeaders());
    finish(
        filters.applyToResponse(
            headers == null ? response : PekkoHeaders.withHeaders(response, headers)));
  }

  private void endpointFailed(Endpoint ep, boolean gatewayError, boolean localOrigin) {
    Backend.Outlier policy = backend.config().circuitBreaker().outlierDetection();
    if (policy.disabled()) {
      return;
    }
    long now = ctx.clock().nanoTime();
    if (ep.health()
        .onFailure(gatewayError, localOrigin, now, policy, backend.ejectionAllowed(now))) {
      ctx.metrics().ejection(backend.name(), ep.authority());
    }
  }

  private boolean idempotentOrAllowed() {
    if (retry.retryNonIdempotent()) {
      return true;
    }
    return switch (request.method().value()) {
      case "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE" -> true;
      default -> false;
    };
  }

  /**
   * Retry count, replayable body, maxRetries and the retry budget all allow another try; when they
   * do, the retry's slot is taken.
   */
  private boolean mayRetry() {
    if (attempt >= retry.numRetries() || !replayable) {
      return false;
    }
    return takeRetrySlot();
  }

  /**
   * Takes a retry slot when maxRetries and the retry budget allow another retry in flight (else
   * counts a refusal).
   */
  private boolean takeRetrySlot() {
    int maxRetries = backend.config().circuitBreaker().connectionLimits().maxRetries();
    Backend.RetryBudget budget = retry.budget();
    double allowed =
        Math.max(
            budget.minRetryConcurrency(),
            budget.percent() / 100.0 * backend.activeRequests().get());
    if (!backend.retries().tryTake(Math.min(maxRetries, allowed))) {
      ctx.metrics().retryRefused(backend.name());
      return false;
    }
    holdingRetrySlot = true;
    return true;
  }

  private long backoffNanos(long retryAfterNanos) {
    long base = retry.backOff().baseInterval().toNanos();
    long max = retry.backOff().maxInterval().toNanos();
    long exp = base << Math.min(attempt, 20);
    long cap = Math.min(max, exp <= 0 ? max : exp);
    long jittered = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    if (retryAfterNanos > 0) {
      return Math.min(max, Math.max(jittered, retryAfterNanos));
    }
    return jittered;
  }

  private static long retryAfterNanos(HttpResponse response) {
    int s = response.status().intValue();
    if (s != 429 && s != 503) {
      return -1;
    }
    for (HttpHeader h : response.getHeaders()) {
      if (h.is("retry-after")) {
        try {
          return Long.parseLong(h.value().trim()) * 1_000_000_000L;
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  /** Schedules the next try; its retry slot was taken by {@link #mayRetry}. */
  private void scheduleRetry(long delayNanos) {
    attempt++;
    ctx.metrics().retry(backend.name());
    ctx.system()
        .scheduler()
        .scheduleOnce(Duration.ofNanos(delayNanos), this::tryOnce, ctx.dispatcher());
  }

  private void releaseRetrySlot() {
    if (holdingRetrySlot) {
      holdingRetrySlot = false;
      backend.retries().release();
    }
  }

  private void fail(UpstreamFailure kind, String detail, long retryAfterSeconds) {
    HttpResponse clientFault = BodyGuard.refusal(request);
    if (clientFault != null) {
      finish(clientFault);
      return;
    }
    ctx.metrics().upstreamFailure(backend.name(), kind.label());
    request.discardEntityBytes(ctx.materializer());
    finish(ErrorResponses.of(kind, detail, retryAfterSeconds));
  }

  private void finish(HttpResponse response) {
    if (finished) {
      return;
    }
    finished = true;
    backend.activeRequests().decrementAndGet();
    long elapsed = ctx.clock().nanoTime() - start;
    int status = response.status().intValue();
    ctx.metrics().request(route, status, elapsed);
    if (ctx.accessLog()) {
      accessLog(status, elapsed);
    }
    result.complete(response);
  }

  private void accessLog(int status, long elapsedNanos) {
    StringBuilder sb = new StringBuilder(160);
    sb.append("{\"ts\":").append(ctx.clock().currentTimeMillis()).append(",\"method\":");
    Json.quote(sb, request.method().value());
    sb.append(",\"path\":");
    Json.quote(sb, request.getUri().path());
    sb.append(",\"route\":");
    Json.quote(sb, route);
    sb.append(",\"backend\":");
    Json.quote(sb, backend.name());
    sb.append(",\"status\":").append(status);
    sb.append(",\"tries\":").append(attempt + refusedRetries + 1);
    sb.append(",\"duration_us\":").append(elapsedNanos / 1000).append('}');
    ACCESS.info(sb.toString());
  }
}
