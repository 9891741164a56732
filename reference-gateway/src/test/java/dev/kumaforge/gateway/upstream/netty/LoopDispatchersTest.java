package dev.kumaforge.gateway.upstream.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.Test;

class LoopDispatchersTest {
  @Test
  void aStreamOnALoopsDispatcherRunsOnThatLoopsThreadAndTheLoopOutlivesTheSystem()
      throws Exception {
    try (EventLoops loops = new EventLoops(2, "pin-test")) {
      LoopDispatchers pinned = LoopDispatchers.register(loops);
      ActorSystem system =
          ActorSystem.create(
              "pin-test",
              pinned
                  .config()
                  .withFallback(ConfigFactory.parseString("pekko.loglevel = WARNING"))
                  .withFallback(ConfigFactory.load()));
      try {
        Materializer mat = Materializer.matFromSystem(system);
        for (int i = 0; i < loops.size(); i++) {
          Thread loopThread = loops.loop(i).submit(Thread::currentThread).get(5, TimeUnit.SECONDS);
          List<Thread> ran =
              Source.range(1, 50)
                  .map(n -> Thread.currentThread())
                  .addAttributes(ActorAttributes.dispatcher(pinned.idOf(loops.loop(i))))
                  .runWith(Sink.seq(), mat)
                  .toCompletableFuture()
                  .get(5, TimeUnit.SECONDS);
          assertThat(ran).hasSize(50).containsOnly(loopThread);
          // on a loop, the current dispatcher is that loop's
          assertThat(loops.loop(i).submit(LoopDispatchers::currentId).get(5, TimeUnit.SECONDS))
              .isEqualTo(pinned.idOf(loops.loop(i)));
        }
        assertThat(LoopDispatchers.currentId()).isNull();
        assertThat(pinned.ids()).hasSize(2).doesNotHaveDuplicates();
        assertThat(pinned.idOf(new EventLoops(1, "other").loop(0))).isNull();
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      // Pekko shut its dispatchers' executors down; the loops it ran on keep running
      assertThat(loops.loop(0).submit(() -> 42).get(5, TimeUnit.SECONDS)).isEqualTo(42);
      pinned.close();
      assertThat(loops.loop(0).submit(LoopDispatchers::currentId).get(5, TimeUnit.SECONDS))
          .isNull();
      // a dispatcher of a forgotten set cannot be created any more
      ActorSystem late =
          ActorSystem.create("pin-late", pinned.config().withFallback(ConfigFactory.load()));
      try {
        assertThatThrownBy(
                () ->
                    Source.single(1)
                        .addAttributes(ActorAttributes.dispatcher(pinned.ids().get(0)))
                        .runWith(Sink.ignore(), Materializer.matFromSystem(late))
                        .toCompletableFuture()
                        .get(5, TimeUnit.SECONDS))
            .hasStackTraceContaining("no event loop registered as");
      } finally {
        late.terminate();
        late.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }
}
