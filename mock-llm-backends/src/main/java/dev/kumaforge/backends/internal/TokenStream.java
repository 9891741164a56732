package dev.kumaforge.backends.internal;

import dev.kumaforge.backends.config.FaultType;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.function.Supplier;

/**
 * Drives one answer in time: the streamed chunks (each flushed on its own when due) or the complete
 * non-streamed body, applying the request's faults. Wire formats plug in the frames.
 */
abstract class TokenStream {
  final Exchange ex;
  final Plan plan;
  final FaultDecision faults;
  final String apiKey;
  final String model;
  private final ModelRuntime runtime;

  /** Headers added to the answer (rate-limit state), or null. */
  HttpHeaders headers;

  private double factor = 1.0;
  private long shift;
  private int next;
  private boolean midDone;

  TokenStream(
      Exchange ex,
      ModelRuntime runtime,
      Plan plan,
      FaultDecision faults,
      String apiKey,
      String model) {
    this.ex = ex;
    this.runtime = runtime;
    this.plan = plan;
    this.faults = faults;
    this.apiKey = apiKey;
    this.model = model;
  }

  /** Frames sent right after the headers (before the first token). */
  abstract void open();

  /** The frame(s) of token {@code i}. */
  abstract void token(int i);

  /** The frames after the last token (finish reason, usage, terminator). */
  abstract void close();

  /** A mid-stream error frame. */
  abstract ByteBuf errorFrame();

  /** A frame that is not valid JSON. */
  abstract ByteBuf malformedFrame();

  /** The non-streamed body. */
  abstract ByteBuf body();

  /** Sends an error of {@code status} in the provider's own shape. */
  abstract void statusError(int status);

  /** Starts the answer: streamed when {@code streaming}, else one body after the generation. */
  final void start(boolean streaming) {
    if (faults.slowHeadersNanos() > 0) {
      HeadDribbler.arm(ex.ctx(), faults.slowHeadersNanos());
    }
    if (faults.reset()) {
      recordError(0);
      ex.atOffset(faults.delayNanos(), ex::reset);
      return;
    }
    if (faults.errorStatus() > 0) {
      recordError(0);
      ex.atOffset(faults.delayNanos(), () -> statusError(faults.errorStatus()));
      return;
    }
    Slots slots = runtime.slots();
    java.util.function.IntConsumer granted =
        new java.util.function.IntConsumer() {
          @Override
          public void accept(int active) {
            if (!ex.active()) {
              slots.release();
              return;
            }
            ex.onFinish(slots::release);
            ex.rebase(System.nanoTime());
            factor = 1.0 + runtime.config().concurrency().slowdownPerActive() * (active - 1);
            begin(streaming);
          }
        };
    if (!slots.acquire(ex.ctx().executor(), granted)) {
      recordError(0);
      ex.atOffset(0, () -> statusError(runtime.config().concurrency().rejectStatus()));
      return;
    }
    ex.onFinish(() -> slots.cancel(granted));
  }

  private long due(int i) {
    return Math.round(plan.dueNanos(i) * factor);
  }

  private void begin(boolean streaming) {
    shift = faults.delayNanos();
    if (streaming) {
      ex.atOffset(
          shift,
          () -> {
            ex.startStream(
                HttpResponseStatus.OK,
                OpenAiApi.SSE,
                headers == null ? new DefaultHttpHeaders() : headers);
            open();
          });
      ex.atOffset(due(0) + shift, this::step);
    } else {
      whole();
    }
  }

  private void whole() {
    FaultType mid = faults.midStream();
    long total = due(plan.completionTokens() - 1) + shift;
    if (mid == FaultType.STALL_MID_STREAM) {
      total += faults.midStallNanos();
    }
    Runnable action;
    if (mid == FaultType.MID_STREAM_ERROR) {
      action =
          () -> {
            recordError(0);
            statusError(500);
          };
    } else if (mid == FaultType.TRUNCATE) {
      action =
          () -> {
            recordError(0);
            ex.abortStream();
          };
    } else {
      Supplier<ByteBuf> content =
          mid == FaultType.MALFORMED_CHUNK ? this::malformedFrame : this::body;
      action =
          () -> {
            ByteBuf b = content.get();
            record(mid == null || mid == FaultType.STALL_MID_STREAM, plan.completionTokens());
            ex.respond(HttpResponseStatus.OK, "application/json", b, headers);
          };
    }
    ex.atOffset(total, action);
  }

  private void step() {
    int n = plan.completionTokens();
    int i = next;
    if (!midDone && faults.midStream() != null && i == Math.min(faults.afterTokens(), n)) {
      midDone = true;
      switch (faults.midStream()) {
        case STALL_MID_STREAM:
          shift += faults.midStallNanos();
          ex.atOffset(due(Math.min(i, n - 1)) + shift, this::step);
          return;
        case MID_STREAM_ERROR:
          ex.chunk(errorFrame());
          record(false, i);
          ex.endStream();
          return;
        case TRUNCATE:
          record(false, i);
          ex.abortStream();
          return;
        default:
          ex.chunk(malformedFrame());
          break;
      }
    }
    if (i >= n) {
      close();
      record(true, n);
      ex.endStream();
      return;
    }
    token(i);
    next = i + 1;
    if (next < n) {
      ex.atOffset(due(next) + shift, this::step);
    } else {
      step();
    }
  }

  private void record(boolean ok, int completionTokens) {
    ex.provider().ledger().record(apiKey, model, ok, plan.promptTokens(), completionTokens);
  }

  private void recordError(int completionTokens) {
    ex.provider().ledger().record(apiKey, model, false, 0, completionTokens);
  }
}
