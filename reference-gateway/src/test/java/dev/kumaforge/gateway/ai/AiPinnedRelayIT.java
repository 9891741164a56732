package dev.kumaforge.gateway.ai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kumaforge.gateway.Gateway;
import dev.kumaforge.gateway.upstream.netty.EventLoops;
import dev.kumaforge.gateway.upstream.netty.LoopDispatchers;
import dev.kumaforge.gateway.upstream.netty.NettyTransport;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;
import org.apache.pekko.event.Logging;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With pinned event loops a streamed answer's chunks go from the upstream socket through the relay
 * and the translator to the client's stage on one loop: the relay's upstream side is materialized
 * on the upstream connection's loop, so the default (fork-join) dispatcher, where it ran before,
 * gets no task per chunk (each such task is a thread wake-up and a hop back to the loop). A real
 * mock provider on port 0, the real Netty transport on one loop, Pekko with the loop's dispatcher
 * and a default dispatcher that counts its tasks.
 */
class AiPinnedRelayIT {
  private static final AtomicInteger defaultTasks = new AtomicInteger();

  private static EventLoops loops;
  private static LoopDispatchers pinned;
  private static AiPath path;

  /** The default dispatcher's executor: a fixed pool that counts the tasks it is given. */
  public static final class Counting extends ExecutorServiceConfigurator {
    /** Called by Pekko with the dispatcher's config. */
    public Counting(Config config, DispatcherPrerequisites prerequisites) {
      super(config, prerequisites);
    }

    @Override
    public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory factory) {
      return () -> new CountingExecutor(Executors.newFixedThreadPool(2, factory));
    }
  }

  private static final class CountingExecutor extends AbstractExecutorService {
    private final ExecutorService pool;

    CountingExecutor(ExecutorService pool) {
      this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
      defaultTasks.incrementAndGet();
      pool.execute(task);
    }

    @Override
    public void shutdown() {
      pool.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
      return pool.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
      return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return pool.awaitTermination(timeout, unit);
    }
  }

  @BeforeAll
  static void start() {
    loops = new EventLoops(1, "pinned-relay");
    pinned = LoopDispatchers.register(loops);
    ActorSystem system =
        ActorSystem.create(
            "pinned-relay",
            pinned
                .config()
                .withFallback(
                    ConfigFactory.parseString(
                        "pekko.actor.default-dispatcher.executor = \""
                            + Counting.class.getName()
                            + "\""))
                .withFallback(Gateway.pekkoConfig()));
    NettyTransport netty =
        new NettyTransport(
            loops, Materializer.matFromSystem(system), Logging.getLogger(system, "test"));
    path =
        new AiPath(
            AiPath.PROVIDERS.replace("tokens: 8", "tokens: 40"),
            system,
            netty,
            system.dispatcher());
  }

  @AfterAll
  static void stop() throws Exception {
    if (path != null) {
      path.close();
    }
    if (pinned != null) {
      pinned.close();
    }
    if (loops != null) {
      loops.close();
    }
  }

  @Test
  void aStreamedAnswersChunksStayOnTheLoop() throws Exception {
    // the first stream opens the upstream connection: counted from the second on
    assertTrue(streamOnce() > 40, "a stream of 40 tokens has more than 40 SSE events");
    int calls = 5;
    int events = 0;
    defaultTasks.set(0);
    for (int i = 0; i < calls; i++) {
      events += streamOnce();
    }
    // per stream the materializer's supervisor (on the default dispatcher) hears of the relay's
    // stream and of the reader's below when they start and stop: 4 tasks. With the relay's upstream
    // side on the default dispatcher: at least one task per SSE event (41 and more a stream)
    assertTrue(
        defaultTasks.get() <= 5 * calls,
        "default-dispatcher tasks of "
            + calls
            + " streamed answers ("
            + events
            + " SSE events): "
            + defaultTasks.get());
  }

  /**
   * One streamed chat read to its end by a stage on the loop (as the client connection's stage of a
   * pinned gateway); returns the number of SSE events it had.
   */
  private static int streamOnce() throws Exception {
    HttpResponse r =
        path.call(
            "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}");
    String body =
        LoopDispatchers.materialize(
                r.entity()
                    .getDataBytes()
                    .toMat(
                        Sink.fold(ByteString.emptyByteString(), ByteString::concat), Keep.right()),
                pinned.ids().get(0),
                Materializer.matFromSystem(path.system))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS)
            .utf8String();
    assertEquals(200, r.status().intValue(), body);
    assertTrue(body.endsWith("data: [DONE]\n\n"), body);
    return body.split("\n\n").length;
  }
}
