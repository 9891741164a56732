package dev.kumaforge.bench.ai;

import dev.kumaforge.gateway.ai.translate.Frame;
import dev.kumaforge.gateway.ai.translate.OpenAiStream;
import dev.kumaforge.gateway.ai.translate.SseFramer;
import dev.kumaforge.gateway.ai.translate.StreamRelay;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.dispatch.Dispatchers;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One whole OpenAI stream ({@value StreamChunkBench#TOKENS} content chunks, as {@link
 * StreamChunkBench} builds it) carried from an upstream body to a client body through the AI
 * gateway's stream machinery on a Pekko {@link ActorSystem}, the way a slow provider sends it: the
 * next network read is offered only after the previous frame reached the client, so every chunk
 * crosses the whole path on its own (no batching that a real 500 ms token gap would not allow).
 *
 * <ul>
 *   <li>{@code relay}: what the gateway runs, {@link StreamRelay} (framing and translation in the
 *       upstream's sink stage, one hand-over to the body stage per chunk);
 *   <li>{@code queue}: the former machinery, for comparison: mapConcat translation into a {@code
 *       Sink.queue}, the body an {@code unfoldResourceAsync} pulling it with a future and a
 *       dispatcher task ({@code thenApplyAsync}) per chunk.
 * </ul>
 *
 * <p>The figure is the time for one stream (about 24 hand-overs), wake-ups of idle threads
 * included. How to run (from the repository root):
 *
 * <pre>{@code
 * ./mvnw -B -q -pl microbenchmarks -am package -DskipTests
 * java -jar microbenchmarks/target/benchmarks.jar StreamRelayBench
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class StreamRelayBench {
  ActorSystem system;
  Materializer mat;
  List<ByteString> reads;

  /** Starts the actor system and builds the stream's network reads. */
  @Setup(Level.Trial)
  public void setUp() {
    system = ActorSystem.create("bench");
    mat = Materializer.createMaterializer(system);
    StreamChunkBench chunks = new StreamChunkBench();
    chunks.setUp();
    reads = chunks.reads;
  }

  /** Stops the actor system. */
  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The gateway's relay. */
  @Benchmark
  public int relay() throws Exception {
    StreamRelay relay = new StreamRelay(new OpenAiStream(false));
    SourceQueueWithComplete<ByteString> upstream =
        Source.<ByteString>queue(4, OverflowStrategy.backpressure())
            .toMat(relay.sink(), (q, n) -> q)
            .run(mat);
    CompletableFuture<StreamRelay.End> ended = new CompletableFuture<>();
    return pingPong(upstream, relay.body(ended::complete), () -> ended);
  }

  /** The former machinery: Sink.queue, unfoldResourceAsync, a future and a task per chunk. */
  @Benchmark
  public int queue() throws Exception {
    SseFramer framer = new SseFramer();
    OpenAiStream t = new OpenAiStream(false);
    Object[] both =
        Source.<ByteString>queue(4, OverflowStrategy.backpressure())
            .mapConcat(
                bs -> {
                  List<Frame> out = new ArrayList<>(2);
                  for (SseFramer.Event e : framer.feed(bs)) {
                    out.addAll(t.onEvent(e));
                  }
                  return out;
                })
            .toMat(Sink.queue(), (a, b) -> new Object[] {a, b})
            .run(mat);
    @SuppressWarnings("unchecked")
    SourceQueueWithComplete<ByteString> upstream = (SourceQueueWithComplete<ByteString>) both[0];
    @SuppressWarnings("unchecked")
    SinkQueueWithCancel<Frame> q = (SinkQueueWithCancel<Frame>) both[1];
    var dispatcher = system.dispatcher();
    Source<ByteString, NotUsed> body =
        Source.unfoldResourceAsync(
                () -> CompletableFuture.completedFuture(q),
                qq -> qq.pull().thenApplyAsync(opt -> opt, dispatcher),
                qq -> {
                  qq.cancel();
                  return CompletableFuture.completedFuture(Done.getInstance());
                })
            .withAttributes(ActorAttributes.dispatcher(Dispatchers.DefaultDispatcherId()))
            .map(Frame::bytes);
    return pingPong(upstream, body, () -> CompletableFuture.completedFuture(null));
  }

  /**
   * Offers the first read, then each next read when a frame reached the client; returns the
   * client's byte count once the body completed.
   */
  private int pingPong(
      SourceQueueWithComplete<ByteString> upstream,
      Source<ByteString, NotUsed> body,
      java.util.function.Supplier<CompletableFuture<?>> ended)
      throws Exception {
    AtomicInteger next = new AtomicInteger(1);
    AtomicInteger bytes = new AtomicInteger();
    upstream.offer(reads.get(0));
    CompletableFuture<Done> done =
        body.runWith(
                Sink.foreach(
                    b -> {
                      bytes.addAndGet(b.length());
                      int i = next.getAndIncrement();
                      if (i < reads.size()) {
                        upstream.offer(reads.get(i));
                        // the usage chunk makes no client frame: offer [DONE] too
                        if (i == reads.size() - 2) {
                          upstream.offer(reads.get(next.getAndIncrement()));
                        }
                      }
                      if (i >= reads.size() - 1) {
                        upstream.complete();
                      }
                    }),
                mat)
            .toCompletableFuture();
    done.get(10, TimeUnit.SECONDS);
    ended.get().get(10, TimeUnit.SECONDS);
    return bytes.get();
  }
}
