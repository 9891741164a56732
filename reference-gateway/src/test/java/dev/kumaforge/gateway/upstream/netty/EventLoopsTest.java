package dev.kumaforge.gateway.upstream.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Task placement of {@link EventLoops}, alone and as a Pekko default dispatcher's executor. */
class EventLoopsTest {
  EventLoops loops;

  @BeforeEach
  void start() {
    loops = new EventLoops(2, "loops-test");
  }

  @AfterEach
  void stop() {
    loops.close();
  }

  /** The thread a task submitted with {@link EventLoops#execute} from {@code from} runs on. */
  private Thread placedFrom(EventLoop from) throws Exception {
    CompletableFuture<Thread> ran = new CompletableFuture<>();
    from.execute(() -> loops.execute(() -> ran.complete(Thread.currentThread())));
    return ran.get(10, TimeUnit.SECONDS);
  }

  private static Thread threadOf(EventLoop loop) throws Exception {
    return loop.submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aTaskSubmittedOnALoopStaysOnThatLoop() throws Exception {
    assertThat(loops.size()).isEqualTo(2);
    for (int round = 0; round < 4; round++) {
      for (int i = 0; i < loops.size(); i++) {
        EventLoop l = loops.loop(i);
        assertThat(placedFrom(l)).isSameAs(threadOf(l));
      }
    }
  }

  @Test
  void tasksFromOtherThreadsGoToEveryLoopInTurn() throws Exception {
    CompletableFuture<Thread> a = new CompletableFuture<>();
    CompletableFuture<Thread> b = new CompletableFuture<>();
    loops.execute(() -> a.complete(Thread.currentThread()));
    loops.execute(() -> b.complete(Thread.currentThread()));
    assertThat(a.get(10, TimeUnit.SECONDS)).isNotSameAs(b.get(10, TimeUnit.SECONDS));
    assertThat(loops.current()).isNull();
  }

  private static Config pekko(String executor) {
    return ConfigFactory.parseString(
            "pekko.loglevel = WARNING\npekko.actor.default-dispatcher.executor = " + executor)
        .withFallback(ConfigFactory.load());
  }

  @Test
  void anActorSystemGivenTheLoopsRunsItsDefaultDispatcherOnThem() throws Exception {
    ActorSystem system =
        ActorSystem.create(
            "loops-test",
            pekko("default-executor"),
            getClass().getClassLoader(),
            loops.executionContext(Throwable::printStackTrace));
    try {
      CompletableFuture<Boolean> onLoop =
          CompletableFuture.supplyAsync(() -> loops.current() != null, system.dispatcher());
      assertThat(onLoop.get(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aForkJoinExecutorInTheConfigTurnsTheSharingOff() throws Exception {
    ActorSystem system =
        ActorSystem.create(
            "loops-test",
            pekko("fork-join-executor"),
            getClass().getClassLoader(),
            loops.executionContext(Throwable::printStackTrace));
    try {
      CompletableFuture<Boolean> onLoop =
          CompletableFuture.supplyAsync(() -> loops.current() != null, system.dispatcher());
      assertThat(onLoop.get(10, TimeUnit.SECONDS)).isFalse();
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
