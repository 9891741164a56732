package dev.kumaforge.gateway.upstream.netty;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.netty.channel.EventLoop;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.ClosedShape;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.impl.PhasedFusingActorMaterializer;

/**
 * One Pekko dispatcher per Netty event loop of an {@link EventLoops} group, so that a stream whose
 * actor runs on loop {@code i}'s dispatcher runs on that loop's thread and nowhere else: a
 * connection's Pekko stages pinned to the loop of its channel (and of the upstream connections the
 * pool takes from that loop). A message sent to such an actor from its own loop (a read of its
 * channel, an upstream response on the same loop) is queued behind the current task with no thread
 * wake-up, which is what keeps a proxied request on one thread end to end.
 *
 * <p>Unlike the shared event loops (the whole default dispatcher on the loops), everything that is
 * not a connection's stream -- the Pekko scheduler's work, reloads, file polls, the AI path's
 * heavier callbacks -- stays on the fork-join default dispatcher, whose threads steal each other's
 * work.
 *
 * <pre>{@code
 * EventLoops loops = new EventLoops(2, "forge-loop");
 * LoopDispatchers d = LoopDispatchers.register(loops);
 * ActorSystem system = ActorSystem.create("gw", d.config().withFallback(pekkoConfig));
 * LoopDispatchers.materialize(graph, d.idOf(channel.eventLoop()), mat); // on that loop, one island
 * d.close(); // after the actor system stopped
 * }</pre>
 */
public final class LoopDispatchers implements AutoCloseable {
  /** Config path under which the dispatchers are declared. */
  static final String PATH = "forge-loop-dispatchers";

  private static final AtomicInteger NEXT = new AtomicInteger();

  /** Every registered loop by its dispatcher's id. */
  private static final Map<String, EventLoop> LOOPS = new ConcurrentHashMap<>();

  private final EventLoop[] loops;
  private final String[] ids; // the dispatchers' ids, PATH.key, in loop order
  private final Config config;

  private LoopDispatchers(EventLoops group) {
    int n = group.size();
    loops = new EventLoop[n];
    ids = new String[n];
    Map<String, Object> entries = new HashMap<>();
    int set = NEXT.incrementAndGet();
    for (int i = 0; i < n; i++) {
      loops[i] = group.loop(i);
      String key = "s" + set + "-" + i;
      ids[i] = PATH + "." + key;
      LOOPS.put(ids[i], loops[i]);
      entries.put(
          key,
          Map.of(
              "type",
              "Dispatcher",
              "executor",
              Configurator.class.getName(),
              "forge-loop",
              ids[i],
              // as the default dispatcher: up to 32 messages of one actor per run
              "throughput",
              32));
    }
    config = ConfigFactory.parseMap(Map.of(PATH, entries));
  }

  /** Declares one dispatcher per loop of {@code group}; {@link #close()} forgets them. */
  public static LoopDispatchers register(EventLoops group) {
    return new LoopDispatchers(group);
  }

  /** The dispatchers' declarations, to lay over the actor system's config. */
  public Config config() {
    return config;
  }

  /** The id of the dispatcher that runs on {@code loop}, or null when it is not one of these. */
  public String idOf(EventLoop loop) {
    int i = EventLoops.indexOf(loops, loop);
    return i < 0 ? null : ids[i];
  }

  /**
   * The id of the dispatcher that runs on the calling thread's loop, or null when the caller is not
   * on one of the registered loops: a stream materialized there with this dispatcher runs on the
   * caller's own loop, so its callbacks from that loop are queued tasks, not thread wake-ups.
   */
  public static String currentId() {
    for (Map.Entry<String, EventLoop> e : LOOPS.entrySet()) {
      if (e.getValue().inEventLoop()) {
        return e.getKey();
      }
    }
    return null;
  }

  /**
   * Materializes {@code graph} with every stage on dispatcher {@code id} (null: the default one),
   * as one island. A dispatcher attribute on the graph itself is an async boundary: the graph
   * becomes an island inside an empty top-level island, whose actor the default dispatcher starts
   * and stops (thread wake-ups per materialization). Given as the materialization's default
   * attributes, the dispatcher is the top-level island's own.
   */
  public static <M> M materialize(Graph<ClosedShape, M> graph, String id, Materializer mat) {
    if (id == null) {
      return mat.materialize(graph);
    }
    Attributes defaults =
        mat instanceof PhasedFusingActorMaterializer m ? m.defaultAttributes() : Attributes.none();
    return mat.materialize(graph, defaults.and(ActorAttributes.dispatcher(id)));
  }

  /** All dispatcher ids, in loop order. */
  public List<String> ids() {
    return List.of(ids);
  }

  @Override
  public void close() {
    for (String id : ids) {
      LOOPS.remove(id);
    }
  }

  /**
   * The executor of one loop's dispatcher ({@code executor = this class}, with {@code forge-loop}
   * naming the loop): execute hands the task to the loop; shutting it down (Pekko does that when a
   * dispatcher has had no actor for its shutdown timeout) leaves the loop running.
   */
  public static final class Configurator extends ExecutorServiceConfigurator {
    private final EventLoop loop;

    /** Called by Pekko with the dispatcher's config. */
    public Configurator(Config config, DispatcherPrerequisites prerequisites) {
      super(config, prerequisites);
      String id = config.getString("forge-loop"); // the dispatcher's own id
      this.loop = LOOPS.get(id);
      if (loop == null) {
        throw new IllegalStateException("no event loop registered as " + id);
      }
    }

    @Override
    public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory factory) {
      return () -> new OnLoop(loop);
    }
  }

  /** An executor service view of one loop; its shutdown does not stop the loop. */
  private static final class OnLoop extends AbstractExecutorService {
    private final EventLoop loop;
    private volatile boolean shutdown;

    OnLoop(EventLoop loop) {
      this.loop = loop;
    }

    @Override
    public void execute(Runnable task) {
      loop.execute(task);
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }
}
