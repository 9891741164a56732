package dev.kumaforge.gateway.ai.translate;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SinkShape;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Carries one upstream event stream to the client, translated chunk by chunk: the {@link #sink()}
 * runs on the upstream body (SSE framing and the {@link StreamTranslator} inline, as each network
 * read arrives), the {@link #body()} is the client's response body. Between them a small window of
 * frames (never coalesced: each frame is one element of the body); a side wakes the other only when
 * that one waits, so a chunk crosses from the upstream's stream to the client's with one hand-over
 * and no future or dispatcher task per chunk. With pinned event loops both streams usually run on
 * one loop (the caller materializes the sink on the upstream connection's loop, and the pool gives
 * a request a connection of its client connection's loop when it has one), and the hand-over is a
 * task queued on that loop, not a thread wake-up.
 *
 * <pre>
 * upstream bytes -> sink: framer -> translator -> frames --(window)--> body: frame bytes -> client
 *                         first content or end -> ready()      body cancelled -> upstream cancelled
 * </pre>
 *
 * <p>The frames before the first content are held until the caller decides ({@link #ready()}): on
 * content it answers with {@link #body()}, otherwise it may {@link #cancel()} and fall back. The
 * body ends with the translator's error frame (never a clean end) when the upstream failed, ended
 * before the answer was complete, or sent an error.
 */
public final class StreamRelay {
  /** Frames held between the two sides before the upstream is read no further. */
  public static final int WINDOW = 16;

  /** How the relay's body ended. */
  public enum End {
    /** Every frame reached the client and the upstream's answer was complete. */
    COMPLETE,
    /** The body ended with the error frame. */
    FAILED,
    /** The client left (or the relay was cancelled) before the end. */
    CANCELLED
  }

  private final StreamTranslator translator;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();

  // guarded by this
  private final ArrayDeque<Frame> frames = new ArrayDeque<>();
  private boolean contentSeen;
  private boolean ended;
  private Throwable failure;
  private boolean cancelled;
  private boolean sourceWaiting;
  private boolean sinkWaiting;
  private AsyncCallback<Object> wakeSink;
  private AsyncCallback<Object> wakeSource;

  public StreamRelay(StreamTranslator translator) {
    this.translator = translator;
  }

  /**
   * Completes when the first content frame was made, or when the upstream ended or failed before
   * any content ({@link #contentSeen()} tells which), whichever comes first.
   */
  public CompletionStage<Void> ready() {
    return ready;
  }

  /** Whether a content frame was made. */
  public synchronized boolean contentSeen() {
    return contentSeen;
  }

  /** The upstream's failure, or null (it completed, or has not ended yet). */
  public synchronized Throwable failure() {
    return failure;
  }

  /** Stops reading the upstream and cancels it (timeout, fallback, client gone). Idempotent. */
  public void cancel() {
    AsyncCallback<Object> w;
    synchronized (this) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      frames.clear();
      w = wakeSink;
    }
    if (w != null) {
      w.invoke(NotUsed.getInstance());
    }
    ready.complete(null);
  }

  /** The upstream side: run it on the upstream response's bytes, once. */
  public Sink<ByteString, NotUsed> sink() {
    return Sink.fromGraph(new RelaySink());
  }

  /**
   * The client's body: the held frames, then each frame as it is made; at the end {@code onEnd}
   * runs once on the stream's thread (keep it short). Run it once.
   */
  public Source<ByteString, NotUsed> body(java.util.function.Consumer<End> onEnd) {
    return Source.fromGraph(new RelayBody(onEnd));
  }

  /** Sink side: queues frames; true while there is room to read on. */
  private boolean offer(List<Frame> out) {
    AsyncCallback<Object> w = null;
    boolean first = false;
    boolean room;
    synchronized (this) {
      if (cancelled) {
        return false;
      }
      for (Frame f : out) {
        frames.add(f);
        if (f.content() && !contentSeen) {
          contentSeen = true;
          first = true;
        }
      }
      if (sourceWaiting && !frames.isEmpty()) {
        sourceWaiting = false;
        w = wakeSource;
      }
      room = frames.size() < WINDOW;
      if (!room) {
        sinkWaiting = true;
      }
    }
    if (w != null) {
      w.invoke(NotUsed.getInstance());
    }
    if (first) {
      ready.complete(null);
    }
    return room;
  }

  private void end(Throwable cause) {
    AsyncCallback<Object> w;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      failure = cause;
      w = sourceWaiting ? wakeSource : null;
      sourceWaiting = false;
    }
    if (w != null) {
      w.invoke(NotUsed.getInstance());
    }
    ready.complete(null);
  }

  /** The upstream side: frames the upstream's bytes as they arrive. */
  private final class RelaySink extends GraphStage<SinkShape<ByteString>> {
    private final Inlet<ByteString> in = Inlet.create("StreamRelay.in");
    private final SinkShape<ByteString> shape = SinkShape.of(in);

    @Override
    public SinkShape<ByteString> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
      return new GraphStageLogic(shape) {
        private final SseFramer framer = new SseFramer();

        {
          AsyncCallback<Object> wake = createAsyncCallback(x -> onWake());
          boolean already;
          synchronized (StreamRelay.this) {
            wakeSink = wake;
            already = cancelled;
          }
          if (already) {
            wake.invoke(NotUsed.getInstance());
          }
          setHandler(
              in,
              new AbstractInHandler() {
                @Override
                public void onPush() {
                  List<SseFramer.Event> events = framer.feed(grab(in));
                  List<Frame> out;
                  if (events.isEmpty()) {
                    out = List.of();
                  } else if (events.size() == 1) {
                    out = translator.onEvent(events.get(0));
                  } else {
                    out = new java.util.ArrayList<>(events.size());
                    for (SseFramer.Event e : events) {
                      out.addAll(translator.onEvent(e));
                    }
                  }
                  if (offer(out)) {
                    pull(in);
                  } else if (isCancelled()) {
                    cancel(in);
                  }
                  // else: the body wakes this side when it took frames
                }

                @Override
                public void onUpstreamFinish() {
                  end(null);
                  completeStage();
                }

                @Override
                public void onUpstreamFailure(Throwable ex) {
                  end(ex);
                  failStage(ex);
                }
              });
        }

        @Override
        public void preStart() {
          if (!isCancelled()) {
            pull(in);
          }
        }

        private void onWake() {
          if (isCancelled()) {
            cancel(in);
          } else if (!hasBeenPulled(in) && !isClosed(in)) {
            pull(in);
          }
        }
      };
    }
  }

  private synchronized boolean isCancelled() {
    return cancelled;
  }

  /** The client side: pushes each frame's bytes; ends with the error frame after a failure. */
  private final class RelayBody extends GraphStage<SourceShape<ByteString>> {
    private final Outlet<ByteString> out = Outlet.create("StreamRelay.out");
    private final SourceShape<ByteString> shape = SourceShape.of(out);
    private final java.util.function.Consumer<End> onEnd;

    RelayBody(java.util.function.Consumer<End> onEnd) {
      this.onEnd = onEnd;
    }

    @Override
    public SourceShape<ByteString> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
      return new GraphStageLogic(shape) {
        private End end = End.CANCELLED;

        {
          AsyncCallback<Object> wake = createAsyncCallback(x -> onWake());
          synchronized (StreamRelay.this) {
            wakeSource = wake;
          }
          setHandler(
              out,
              new AbstractOutHandler() {
                @Override
                public void onPull() {
                  next();
                }

                @Override
                public void onDownstreamFinish(Throwable cause) {
                  StreamRelay.this.cancel();
                  completeStage();
                }
              });
        }

        private void onWake() {
          if (isAvailable(out)) {
            next();
          }
        }

        /** Pushes the next frame, ends the body, or waits for the sink. */
        private void next() {
          Frame f;
          boolean over;
          Throwable cause;
          AsyncCallback<Object> w = null;
          synchronized (StreamRelay.this) {
            f = frames.poll();
            over = f == null && ended;
            cause = failure;
            if (f == null && !ended) {
              sourceWaiting = true;
            }
            if (sinkWaiting && frames.size() < WINDOW) {
              sinkWaiting = false;
              w = wakeSink;
            }
          }
          if (w != null) {
            w.invoke(NotUsed.getInstance());
          }
          if (f != null) {
            push(out, f.bytes());
          } else if (over) {
            // the end is judged when the upstream reported it, never earlier
            String why =
                cause != null
                    ? "the provider's stream failed"
                    : translator.upstreamError() != null
                        ? "the provider failed mid-stream: " + translator.upstreamError()
                        : !translator.finished()
                            ? "the provider's stream ended before the answer was complete"
                            : null;
            if (why != null) {
              end = End.FAILED;
              push(out, translator.errorFrame(why).bytes());
            } else {
              end = End.COMPLETE;
            }
            completeStage();
          }
        }

        @Override
        public void postStop() {
          onEnd.accept(end);
        }
      };
    }
  }
}
