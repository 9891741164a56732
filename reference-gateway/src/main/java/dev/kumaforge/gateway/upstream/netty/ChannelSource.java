package dev.kumaforge.gateway.upstream.netty;

import java.util.ArrayDeque;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * A streamed response body read from its connection on demand: the channel reads (autoRead off)
 * only when this source is pulled and has nothing buffered, each decoded chunk is one element (no
 * coalescing), and cancelling closes the connection.
 *
 * <pre>
 * pull -> (nothing buffered) -> channel.read() -> HttpContent -> chunk -> push
 * cancel -> channel.close()
 * </pre>
 */
final class ChannelSource extends GraphStage<SourceShape<ByteString>> {
  /** The end of the body, sent after the last chunk. */
  static final Object END = new Object();

  private final Outlet<ByteString> out = Outlet.create("NettyUpstream.body");
  private final SourceShape<ByteString> shape = SourceShape.of(out);
  private final Connection.Body body;

  ChannelSource(Connection.Body body) {
    this.body = body;
  }

  @Override
  public SourceShape<ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new GraphStageLogic(shape) {
      private final ArrayDeque<ByteString> buffered = new ArrayDeque<>();
      private boolean ended;

      {
        setHandler(
            out,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                ByteString next = buffered.poll();
                if (next != null) {
                  push(out, next);
                }
                if (buffered.isEmpty()) {
                  if (ended) {
                    completeStage();
                  } else {
                    body.demand();
                  }
                }
              }

              @Override
              public void onDownstreamFinish(Throwable cause) {
                body.cancel();
                completeStage();
              }
            });
      }

      @Override
      public void preStart() {
        AsyncCallback<Object> callback = createAsyncCallback(this::onEvent);
        body.attach(callback::invoke);
      }

      private void onEvent(Object event) {
        if (event instanceof ByteString chunk) {
          if (buffered.isEmpty() && isAvailable(out)) {
            push(out, chunk);
          } else {
            buffered.add(chunk);
          }
        } else if (event == END) {
          ended = true;
          if (buffered.isEmpty()) {
            completeStage();
          }
        } else if (event instanceof Throwable t) {
          failStage(t);
        }
      }
    };
  }
}
