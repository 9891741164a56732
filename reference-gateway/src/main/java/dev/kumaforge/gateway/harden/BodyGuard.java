package dev.kumaforge.gateway.harden;

import dev.kumaforge.gateway.internal.ErrorResponses;
import dev.kumaforge.gateway.upstream.UpstreamFailure;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.stream.javadsl.AsPublisher;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.reactivestreams.Publisher;

/**
 * Limits a streamed request body in size and time and remembers why it failed, so that whoever
 * forwards the body answers the client's fault (400 malformed, 408 too slow, 413 too large) instead
 * of an upstream error. The body stays streamed (back-pressure, no buffering); the upstream request
 * is aborted when the limit is hit.
 *
 * <pre>
 * client bytes -> Pekko parser -> limitWeighted(maxBodySize) -> completionTimeout(bodyTimeout)
 *   -> mapError (records the failure) -> upstream request
 * </pre>
 */
public final class BodyGuard {
  /**
   * A chunked request body (no Content-Length) is read ahead up to this many bytes before the
   * request is forwarded: a malformed, incomplete, too large or too slow small body is refused
   * before any backend sees the request.
   */
  public static final int READ_AHEAD_BYTES = 64 * 1024;

  /** Request attribute holding the guard of a request's body. */
  public static final AttributeKey<BodyGuard> KEY =
      AttributeKey.create("forge-body-guard", BodyGuard.class);

  private final long maxBytes;
  private final Duration timeout;
  private volatile Throwable failure;

  private BodyGuard(long maxBytes, Duration timeout) {
    this.maxBytes = maxBytes;
    this.timeout = timeout;
  }

  /** {@code request} with its streamed body limited; in-memory and empty bodies are unchanged. */
  static HttpRequest wrap(HttpRequest request, long maxBytes, Duration timeout) {
    HttpEntity e = request.entity();
    if (e.isKnownEmpty() || e instanceof HttpEntity.Strict) {
      return request;
    }
    BodyGuard guard = new BodyGuard(maxBytes, timeout);
    Source<ByteString, Object> data =
        e.getDataBytes()
            .limitWeighted(maxBytes, b -> (long) b.size())
            .completionTimeout(timeout)
            .mapError(
                Throwable.class,
                err -> {
                  // recorded before the failure travels on to whoever reads the body
                  guard.failure = err;
                  return err;
                });
    OptionalLong length = e.getContentLengthOption();
    RequestEntity entity =
        length.isPresent()
            ? HttpEntities.create(e.getContentType(), length.getAsLong(), data)
            : HttpEntities.createChunked(e.getContentType(), data);
    return request.withEntity(entity).addAttribute(KEY, guard);
  }

  /** Whether {@code request} has a guarded chunked body that {@link #readAhead} should read. */
  public static boolean needsReadAhead(HttpRequest request) {
    return request.entity().isChunked() && request.getAttribute(KEY).isPresent();
  }

  /**
   * Reads up to {@link #READ_AHEAD_BYTES} of a chunked body before the request goes on: a body that
   * fails first (malformed, too large, too slow) gives the refusal; otherwise the request continues
   * with the same bytes, streamed with back-pressure ({@link ReadAhead}).
   */
  public static CompletionStage<RequestGuard.Result> readAhead(
      HttpRequest request, Materializer mat) {
    ContentType type = request.entity().getContentType();
    Pair<CompletionStage<Boolean>, Publisher<ByteString>> run =
        request
            .entity()
            .getDataBytes()
            .viaMat(new ReadAhead(READ_AHEAD_BYTES), Keep.right())
            .toMat(Sink.asPublisher(AsPublisher.WITHOUT_FANOUT), Keep.both())
            .run(mat);
    return run.first()
        .handle(
            (ended, err) -> {
              if (err == null) {
                Source<ByteString, NotUsed> body = Source.fromPublisher(run.second());
                return new RequestGuard.Result(
                    request.withEntity(HttpEntities.createChunked(type, body)), null);
              }
              HttpResponse r = refusal(request);
              return new RequestGuard.Result(
                  request,
                  r != null
                      ? r
                      : ErrorResponses.of(
                          400,
                          "bad_request",
                          "cannot read the request body: " + err.getMessage(),
                          List.of(Connection.create("close"))));
            });
  }

  /**
   * The client-fault answer when {@code request}'s body failed (too large, too slow, malformed or
   * cut), else null.
   */
  public static HttpResponse refusal(HttpRequest request) {
    return request.getAttribute(KEY).map(BodyGuard::refusal).orElse(null);
  }

  private HttpResponse refusal() {
    Throwable f = failure;
    if (f == null) {
      return null;
    }
    f = UpstreamFailure.unwrap(f);
    List<org.apache.pekko.http.javadsl.model.HttpHeader> close =
        List.of(Connection.create("close"));
    if (f instanceof StreamLimitReachedException) {
      return ErrorResponses.of(
          413, "body_too_large", "the request body is larger than " + maxBytes + " bytes", close);
    }
    if (f instanceof TimeoutException) {
      return ErrorResponses.of(
          408,
          "body_timeout",
          "the request body did not arrive within " + timeout.toMillis() + " ms",
          close);
    }
    return ErrorResponses.of(
        400, "bad_request", "cannot read the request body: " + f.getMessage(), close);
  }
}
