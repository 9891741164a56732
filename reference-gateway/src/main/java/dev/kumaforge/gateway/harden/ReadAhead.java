package dev.kumaforge.gateway.harden;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Reads a byte stream ahead, without downstream demand, until {@code bytes} are buffered or the
 * stream ends, then passes everything through unchanged with back-pressure. Its materialized value
 * completes with {@code true} when the stream ended within the read-ahead, {@code false} when the
 * read-ahead filled first, or fails with the stream's failure.
 *
 * <pre>
 * upstream -> [buffer up to N bytes, pulled eagerly] -> signal -> pass-through on demand
 * </pre>
 */
final class ReadAhead
    extends AbstractGraphStageWithMaterializedValue<
        FlowShape<ByteString, ByteString>, CompletionStage<Boolean>> {
  private final Inlet<ByteString> in = Inlet.create("ReadAhead.in");
  private final Outlet<ByteString> out = Outlet.create("ReadAhead.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final long bytes;

  ReadAhead(long bytes) {
    this.bytes = bytes;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, CompletionStage<Boolean>> createLogicAndMaterializedValuePair(
      Attributes attributes) {
    CompletableFuture<Boolean> ready = new CompletableFuture<>();
    GraphStageLogic logic =
        new GraphStageLogic(shape) {
          private final ArrayDeque<ByteString> buffer = new ArrayDeque<>();
          private long buffered;
          private boolean reading = true;
          private boolean upstreamDone;

          {
            setHandler(
                in,
                new AbstractInHandler() {
                  @Override
                  public void onPush() {
                    ByteString b = grab(in);
                    if (!reading) {
                      push(out, b);
                      return;
                    }
                    buffer.add(b);
                    buffered += b.size();
                    if (buffered < bytes) {
                      pull(in);
                      return;
                    }
                    reading = false;
                    ready.complete(false);
                    if (isAvailable(out)) {
                      drain();
                    }
                  }

                  @Override
                  public void onUpstreamFinish() {
                    upstreamDone = true;
                    if (reading) {
                      reading = false;
                      ready.complete(true);
                    }
                    if (buffer.isEmpty()) {
                      completeStage();
                    }
                  }

                  @Override
                  public void onUpstreamFailure(Throwable ex) {
                    ready.completeExceptionally(ex);
                    failStage(ex);
                  }
                });
            setHandler(
                out,
                new AbstractOutHandler() {
                  @Override
                  public void onPull() {
                    if (!buffer.isEmpty()) {
                      drain();
                    } else if (!reading && !upstreamDone && !hasBeenPulled(in)) {
                      pull(in);
                    }
                  }
                });
          }

          /** Pushes one buffered element; completes once the buffer and upstream are done. */
          private void drain() {
            push(out, buffer.poll());
            if (buffer.isEmpty() && upstreamDone) {
              completeStage();
            }
          }

          @Override
          public void preStart() {
            pull(in);
          }

          @Override
          public void postStop() {
            ready.completeExceptionally(new IllegalStateException("request body stream stopped"));
          }
        };
    return Pair.create(logic, ready);
  }
}
