package dev.kumaforge.gateway.server;

import dev.kumaforge.gateway.auth.AuthFailure;
import dev.kumaforge.gateway.auth.Authenticator;
import dev.kumaforge.gateway.internal.ErrorResponses;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.Done;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * One connection's guard, between Pekko's HTTP server layer and the request handler: it closes the
 * connection when a request's headers have not fully arrived within {@code headerTimeout} of the
 * accept (the first request; {@link HeadGate} enforces that deadline until the first head got
 * through, this stage for a head too long for {@link HeaderScan} to hold) or of the first byte of a
 * later request's head on a keep-alive connection (a slow-header, "slowloris", client; an idle
 * keep-alive connection is left to the server's idle-timeout, so a client reusing it never races
 * the deadline), and answers the synthetic request that stands for one {@link HeaderScan} refused
 * (400, or 401 for an oversized credential, with {@code Connection: close}). The {@code
 * maxConnections} refusal is {@link HeadGate}'s.
 *
 * <pre>
 *   TCP -> [TLS] -> HeaderScan -> HeadGate -> HTTP server layer --HttpRequest--> ConnectionGuard
 *                                                               <-HttpResponse-- (entity end re-arms)
 * </pre>
 *
 * <p>Pekko emits a request once its header block is parsed, so "request seen" is "headers ended".
 * Closing completes the response side, which makes the server layer close the connection.
 *
 * <p>A 2xx response to a request whose body is still streaming in (it came in more than one read)
 * is held until that body has ended, at most {@link #HOLD}: Pekko closes the connection after a
 * response that overtakes its request's end (an "early response"), and a proxied stream's head (an
 * SSE answer) comes back right after the body went upstream, often before Pekko's parser has passed
 * the end of the request on. A response that is not 2xx, or a body that does not end within the
 * hold (an upstream answering without reading it), goes out at once, and Pekko closes.
 */
final class ConnectionGuard
    extends GraphStage<BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse>> {

  /** Counters shared by every connection of one listener. */
  static final class Limits {
    final Duration headerTimeout;
    final int maxConnections;
    final AtomicInteger open = new AtomicInteger();
    final LongAdder refused = new LongAdder();
    final LongAdder headerTimeouts = new LongAdder();

    /** Requests refused by {@link HeaderScan}, indexed by {@link HeaderScan.Refusal#ordinal()}. */
    final LongAdder[] scanRefusals = new LongAdder[HeaderScan.Refusal.values().length];

    {
      for (int i = 0; i < scanRefusals.length; i++) {
        scanRefusals[i] = new LongAdder();
      }
    }

    Limits(Duration headerTimeout, int maxConnections) {
      this.headerTimeout = headerTimeout;
      this.maxConnections = maxConnections;
    }
  }

  private static final String DEADLINE = "header-deadline";
  private static final String HOLD_KEY = "early-response-hold";

  /** How long a 2xx response waits for the end of its request's streamed body. */
  static final Duration HOLD = Duration.ofMillis(100);

  /** Whether a request's body has ended; one per request, in order. */
  private static final class Body {
    boolean ended;

    Body(boolean ended) {
      this.ended = ended;
    }
  }

  private static final Body STRICT = new Body(true);

  private final Inlet<HttpRequest> requestIn = Inlet.create("ConnectionGuard.requestIn");
  private final Outlet<HttpRequest> requestOut = Outlet.create("ConnectionGuard.requestOut");
  private final Inlet<HttpResponse> responseIn = Inlet.create("ConnectionGuard.responseIn");
  private final Outlet<HttpResponse> responseOut = Outlet.create("ConnectionGuard.responseOut");
  private final BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape =
      new BidiShape<>(requestIn, requestOut, responseIn, responseOut);
  private final Limits limits;
  private final HeaderScan.Verdict verdict;

  ConnectionGuard(Limits limits, HeaderScan.Verdict verdict) {
    this.limits = limits;
    this.verdict = verdict;
  }

  @Override
  public BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      private final long timeoutNanos = limits.headerTimeout.toNanos();
      private long requests;
      private long responsesDone;
      private AsyncCallback<Done> responseDone;
      private AsyncCallback<Body> bodyEnded;
      // the bodies of the requests not answered yet, in order
      private final java.util.ArrayDeque<Body> bodies = new java.util.ArrayDeque<>();
      private HttpResponse held;
      private Body heldFor;
      // One timer at a time: a request only clears "armed" and a response end moves the deadline,
      // so keep-alive traffic costs a clock read per request instead of a scheduler task.
      private boolean armed;
      private long deadline;
      private boolean timerPending;

      {
        setHandler(
            requestIn,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                HttpRequest request = grab(requestIn);
                armed = false;
                HeaderScan.Refusal refusal = verdict.refusal;
                if (refusal != null && synthetic(request)) {
                  // stands for a request HeaderScan refused: answered here, never handled
                  limits.scanRefusals[refusal.ordinal()].increment();
                  emit(responseOut, refusal(refusal));
                  return;
                }
                requests++;
                push(requestOut, watchedBody(request));
              }

              @Override
              public void onUpstreamFinish() {
                complete(requestOut);
              }
            });
        setHandler(
            requestOut,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(requestIn);
              }

              @Override
              public void onDownstreamFinish(Throwable cause) {
                cancel(requestIn, cause);
              }
            });
        setHandler(
            responseIn,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                HttpResponse response = grab(responseIn);
                Body body = bodies.poll();
                if (body != null && !body.ended && response.status().isSuccess()) {
                  held = response;
                  heldFor = body;
                  scheduleOnce(HOLD_KEY, HOLD);
                  return;
                }
                push(responseOut, watched(response));
              }

              @Override
              public void onUpstreamFinish() {
                if (held != null) {
                  HttpResponse h = held;
                  held = null;
                  heldFor = null;
                  cancelTimer(HOLD_KEY);
                  emit(responseOut, watched(h));
                }
                complete(responseOut);
              }
            });
        setHandler(
            responseOut,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                // still pulled when a refusal was emitted in between
                if (!hasBeenPulled(responseIn) && !isClosed(responseIn)) {
                  pull(responseIn);
                }
              }

              @Override
              public void onDownstreamFinish(Throwable cause) {
                cancel(responseIn, cause);
              }
            });
      }

      @Override
      public void postStop() {
        if (held != null) {
          // the connection ended while an answer was held: cancel its body (e.g. the upstream's
          // stream), which would otherwise never be read and keep its upstream connection
          held.entity().getDataBytes().runWith(Sink.cancelled(), materializer());
          held = null;
        }
      }

      @Override
      public void preStart() {
        // materialized when the first head got through HeadGate: its deadline still runs from the
        // accept (a head longer than HeaderScan holds gets here before it ended)
        responseDone = createAsyncCallback(d -> onResponseDone());
        bodyEnded = createAsyncCallback(this::onBodyEnded);
        arm(verdict.accepted);
      }

      /** A header deadline of {@code headerTimeout} from {@code from} (a nanoTime value). */
      private void arm(long from) {
        armed = true;
        deadline = from + timeoutNanos;
        if (!timerPending) {
          timerPending = true;
          scheduleOnce(DEADLINE, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
      }

      /** The request, a streamed body of it reporting its end (see {@link #HOLD}). */
      private HttpRequest watchedBody(HttpRequest request) {
        HttpEntity entity = request.entity();
        if (!(entity instanceof HttpEntity.Strict) && !entity.isKnownEmpty()) {
          Body body = new Body(false);
          RequestEntity watched = reportingEnd(entity, bodyEnded, body);
          if (watched != null) {
            bodies.add(body);
            return request.withEntity(watched);
          }
        }
        bodies.add(STRICT);
        return request;
      }

      private void onBodyEnded(Body body) {
        body.ended = true;
        if (heldFor == body) {
          release();
        }
      }

      private void release() {
        HttpResponse h = held;
        held = null;
        heldFor = null;
        cancelTimer(HOLD_KEY);
        push(responseOut, watched(h));
      }

      @Override
      public void onTimer(Object key) {
        if (HOLD_KEY.equals(key)) {
          if (held != null) {
            release();
          }
          return;
        }
        timerPending = false;
        if (!armed) {
          return;
        }
        if (requests > 0) {
          // keep-alive: the next request's deadline runs from its first byte (HeaderScan); an idle
          // connection is left to the server's idle-timeout
          long start = verdict.headStart;
          if (start == 0) {
            // idle between requests: look again one header timeout later
            timerPending = true;
            scheduleOnce(DEADLINE, limits.headerTimeout);
            return;
          }
          deadline = start + timeoutNanos;
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
          timerPending = true;
          scheduleOnce(DEADLINE, Duration.ofNanos(left));
          return;
        }
        limits.headerTimeouts.increment();
        completeStage();
      }

      private boolean synthetic(HttpRequest request) {
        return request
            .getHeader(HeaderScan.MARKER)
            .map(h -> HeaderScan.SECRET.equals(h.value()))
            .orElse(false);
      }

      private HttpResponse refusal(HeaderScan.Refusal refusal) {
        List<HttpHeader> close = List.of(Connection.create("close"));
        if (refusal == HeaderScan.Refusal.CREDENTIAL_TOO_LARGE) {
          HttpResponse r = Authenticator.unauthorized(AuthFailure.MALFORMED);
          return r.addHeaders(close);
        }
        return ErrorResponses.of(400, "bad_request", refusal.message, close);
      }

      private void onResponseDone() {
        responsesDone++;
        if (responsesDone == requests && !isClosed(responseOut)) {
          arm(System.nanoTime());
        }
      }

      /** The response, its entity reporting its end (the header deadline restarts then). */
      private HttpResponse watched(HttpResponse response) {
        ResponseEntity entity = response.entity();
        if (entity instanceof HttpEntity.Strict) {
          onResponseDone();
          return response;
        }
        ResponseEntity watched = reportingEnd(entity, responseDone, Done.done());
        // null: close-delimited, the connection ends with the response
        return watched == null ? response : response.withEntity(watched);
      }

      /**
       * {@code entity} (with a Content-Length, or chunked) whose data reports its end, failure or
       * cancellation as {@code value} to {@code callback}; null for any other kind of entity. The
       * Content-Length stays (unlike {@code transformDataBytes}).
       */
      private <V> org.apache.pekko.http.scaladsl.model.RequestEntity reportingEnd(
          HttpEntity entity, AsyncCallback<V> callback, V value) {
        if (entity instanceof org.apache.pekko.http.scaladsl.model.HttpEntity.Default d) {
          return new org.apache.pekko.http.scaladsl.model.HttpEntity.Default(
              d.contentType(),
              d.contentLength(),
              onEnd(Source.fromGraph(d.data()), callback, value).asScala());
        }
        if (entity instanceof org.apache.pekko.http.scaladsl.model.HttpEntity.Chunked c) {
          return new org.apache.pekko.http.scaladsl.model.HttpEntity.Chunked(
              c.contentType(), onEnd(Source.fromGraph(c.chunks()), callback, value).asScala());
        }
        return null;
      }

      private <T, V> Source<T, Object> onEnd(
          Source<T, ?> data, AsyncCallback<V> callback, V value) {
        return data.watchTermination(
            (mat, done) -> {
              // not whenComplete: Pekko's CompletionStage (Scala's FutureConverters) runs that on
              // the common pool, which is a new thread per callback on a machine with 2 cores
              done.whenCompleteAsync((d, e) -> callback.invoke(value), Listening.DIRECT);
              return (Object) mat;
            });
      }
    };
  }
}
