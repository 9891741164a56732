package dev.kumaforge.gateway.upstream.netty;

import java.util.ArrayDeque;
import java.util.function.Consumer;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * A streamed body read from its connection on demand (an upstream response's, or a request's on the
 * server's Netty front): the channel reads (autoRead off) only when this source is pulled and has
 * nothing buffered, each decoded chunk is one element (no coalescing), and cancelling tells the
 * connection (the upstream one closes).
 *
 * <pre>
 * pull -> (nothing buffered) -> channel.read() -> HttpContent -> chunk -> push
 * cancel -> channel.close()
 * </pre>
 */
public final class ChannelSource extends GraphStage<SourceShape<ByteString>> {
  /** The end of the body, sent after the last chunk. */
  public static final Object END = new Object();

  /**
   * The readable bytes of {@code buf} as a ByteString of their own (the buffer is not released).
   */
  public static ByteString copy(io.netty.buffer.ByteBuf buf) {
    byte[] bytes = new byte[buf.readableBytes()];
    buf.getBytes(buf.readerIndex(), bytes);
    return ByteString.fromArrayUnsafe(bytes);
  }

  /** The connection side of one body. */
  public interface Feed {
    /**
     * The source started (from any thread): events (chunks as {@link ByteString}, {@link #END}, a
     * {@link Throwable}) go to {@code sink} from now on, those that came before first.
     */
    void attach(Consumer<Object> sink);

    /** The source wants more and has nothing buffered (from any thread). */
    void demand();

    /** The source was cancelled (from any thread). */
    void cancel();
  }

  /**
   * A feed whose events are emitted on its connection's event loop: those emitted before the source
   * started are kept until it attaches.
   */
  public abstract static class LoopFeed implements Feed {
    private final ArrayDeque<Object> early = new ArrayDeque<>(2);
    private Consumer<Object> sink;

    /** Runs {@code task} on the connection's loop (now when called there). */
    protected abstract void onLoop(Runnable task);

    /** Passes {@code event} on, or keeps it until the source attaches; on the loop. */
    public final void emit(Object event) {
      if (sink != null) {
        sink.accept(event);
      } else {
        early.add(event);
      }
    }

    @Override
    public final void attach(Consumer<Object> s) {
      onLoop(
          () -> {
            sink = s;
            Object e;
            while ((e = early.poll()) != null) {
              s.accept(e);
            }
          });
    }
  }

  private final Outlet<ByteString> out = Outlet.create("NettyUpstream.body");
  private final SourceShape<ByteString> shape = SourceShape.of(out);
  private final Feed body;

  /** A source of {@code body}'s chunks. */
  public ChannelSource(Feed body) {
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
