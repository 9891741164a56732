package dev.kumaforge.gateway.server;

import java.util.function.Consumer;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.SinkShape;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * A streamed response body written to its client connection chunk by chunk (each flushed, so an SSE
 * event goes out as it comes), pulling the next chunk only while the channel is writable: a slow
 * reader stalls the upstream instead of being buffered.
 *
 * <pre>
 * push -> write -> writable? pull : (wait for the channel's writability) -> pull
 * upstream end -> the response ends; upstream failure -> the connection closes (the client sees a
 * cut body); the connection closed -> cancel (the upstream's stream ends)
 * </pre>
 */
final class ResponseSink extends GraphStage<SinkShape<ByteString>> {
  private static final Object WRITABLE = new Object();

  /** The connection side of one response body. */
  interface Out {
    /**
     * Registers the callbacks (from the stage's thread): {@code writable} once the channel takes
     * more after {@link #write} said it did not, {@code abort} when the connection ended.
     */
    void attach(Runnable writable, Consumer<Throwable> abort);

    /** Writes and flushes {@code chunk}; true when the channel takes more now. */
    boolean write(ByteString chunk);

    /** The body ended. */
    void end();

    /** The body failed. */
    void fail(Throwable cause);
  }

  private final Inlet<ByteString> in = Inlet.create("FrontResponse.body");
  private final SinkShape<ByteString> shape = SinkShape.of(in);
  private final Out out;

  ResponseSink(Out out) {
    this.out = out;
  }

  @Override
  public SinkShape<ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new GraphStageLogic(shape) {
      {
        setHandler(
            in,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                if (out.write(grab(in))) {
                  pull(in);
                }
              }

              @Override
              public void onUpstreamFinish() {
                out.end();
                completeStage();
              }

              @Override
              public void onUpstreamFailure(Throwable cause) {
                out.fail(cause);
                failStage(cause);
              }
            });
      }

      @Override
      public void preStart() {
        AsyncCallback<Object> events = createAsyncCallback(this::onEvent);
        out.attach(() -> events.invoke(WRITABLE), events::invoke);
        pull(in);
      }

      private void onEvent(Object event) {
        if (event == WRITABLE) {
          if (!isClosed(in) && !hasBeenPulled(in)) {
            pull(in);
          }
        } else if (event instanceof Throwable cause) {
          cancelStage(cause);
        }
      }
    };
  }
}
