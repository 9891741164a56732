package dev.kumaforge.gateway.upstream.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.config.HostPort;
import dev.kumaforge.gateway.upstream.Endpoint;
import dev.kumaforge.gateway.upstream.UpstreamQueue;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import scala.util.Try;

/** Loop affinity of {@link NettyPool} on two event loops, against a real upstream on port 0. */
class NettyPoolTest {
  static ActorSystem system;
  static Materializer materializer;
  static HttpServer upstream;
  static ExecutorService upstreamThreads;
  static final CyclicBarrier PAIR = new CyclicBarrier(2);
  EventLoops loops;
  NettyTransport transport;
  UpstreamQueue queue;

  @BeforeAll
  static void startUpstream() throws Exception {
    system =
        ActorSystem.create(
            "netty-pool-test", ConfigFactory.parseString("pekko.loglevel = WARNING"));
    materializer = Materializer.matFromSystem(system);
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    upstreamThreads = Executors.newCachedThreadPool();
    upstream.setExecutor(upstreamThreads);
    upstream.createContext(
        "/",
        ex -> {
          if (ex.getRequestURI().getPath().equals("/pair")) {
            try { // answered once two /pair requests are in: they need two connections
              PAIR.await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
              ex.sendResponseHeaders(500, -1);
              ex.close();
              return;
            }
          }
          byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("content-type", "application/json");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    upstream.start();
  }

  @AfterAll
  static void stopUpstream() {
    upstream.stop(0);
    upstreamThreads.shutdownNow();
    system.terminate();
  }

  @BeforeEach
  void start() {
    loops = new EventLoops(2, "pool-test");
    transport = new NettyTransport(loops, materializer, system.log());
    String address = "127.0.0.1:" + upstream.getAddress().getPort();
    Backend backend =
        new Backend(
            "b",
            List.of(new Backend.Endpoint(address, 1)),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    queue = transport.newQueue(new Endpoint(HostPort.parse(address), 1), backend);
  }

  @AfterEach
  void stop() {
    transport.close();
    loops.close();
  }

  private NettyPool pool() {
    return (NettyPool) queue;
  }

  /** Offers one request from {@code loop}'s thread; the response's thread. */
  private CompletableFuture<Thread> offerOn(EventLoop loop) {
    return offerOn(loop, "/x");
  }

  private CompletableFuture<Thread> offerOn(EventLoop loop, String path) {
    CompletableFuture<Thread> answered = new CompletableFuture<>();
    UpstreamQueue.Callback cb =
        (Try<HttpResponse> r) -> {
          if (r.isSuccess() && r.get().status().intValue() == 200) {
            r.get().discardEntityBytes(materializer);
            answered.complete(Thread.currentThread());
          } else {
            answered.completeExceptionally(
                r.isFailure() ? r.failed().get() : new AssertionError(r.get().status()));
          }
        };
    loop.execute(() -> assertThat(queue.offer(HttpRequest.GET(path), cb)).isNotNull());
    return answered;
  }

  private static Thread threadOf(EventLoop loop) throws Exception {
    return loop.submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aConnectionOpenedFromALoopBelongsToThatLoop() throws Exception {
    EventLoop l1 = loops.loop(1);
    assertThat(offerOn(l1).get(10, TimeUnit.SECONDS)).isSameAs(threadOf(l1));
    await().atMost(Duration.ofSeconds(10)).until(() -> pool().idleOn(l1) == 1);
    assertThat(pool().idleOn(loops.loop(0))).isZero();
  }

  @Test
  void anOfferOnALoopTakesThatLoopsIdleConnectionSoTheExchangeStaysOnItsThread() throws Exception {
    EventLoop l0 = loops.loop(0);
    EventLoop l1 = loops.loop(1);
    offerOn(l0).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> pool().idleOn(l0) == 1);
    // two held at once from l1: the first takes l0's idle connection, the second opens one on l1
    CompletableFuture<Thread> a = offerOn(l1, "/pair");
    CompletableFuture<Thread> b = offerOn(l1, "/pair");
    assertThat(List.of(a.get(10, TimeUnit.SECONDS), b.get(10, TimeUnit.SECONDS)))
        .containsExactlyInAnyOrder(threadOf(l0), threadOf(l1));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> pool().idleOn(l0) == 1 && pool().idleOn(l1) == 1);
    Thread t0 = threadOf(l0);
    Thread t1 = threadOf(l1);
    for (int round = 0; round < 3; round++) {
      for (EventLoop l : List.of(l0, l1, l1, l0)) {
        assertThat(offerOn(l).get(10, TimeUnit.SECONDS)).isSameAs(l == l0 ? t0 : t1);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> pool().idleOn(l0) == 1 && pool().idleOn(l1) == 1);
      }
    }
  }

  @Test
  void anOfferFromAnotherThreadStillGetsAnIdleConnectionOfAnyLoop() throws Exception {
    EventLoop l1 = loops.loop(1);
    offerOn(l1).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> pool().idleOn(l1) == 1);
    CompletableFuture<Thread> answered = new CompletableFuture<>();
    queue.offer(
        HttpRequest.GET("/y"),
        r -> {
          r.get().discardEntityBytes(materializer);
          answered.complete(Thread.currentThread());
        });
    assertThat(answered.get(10, TimeUnit.SECONDS)).isSameAs(threadOf(l1));
    await().atMost(Duration.ofSeconds(10)).until(() -> pool().idleOn(l1) == 1);
  }

  @Test
  void closingTheTransportClosesItsConnectionsButNotTheSharedLoops() throws Exception {
    EventLoop l0 = loops.loop(0);
    offerOn(l0).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> pool().idleOn(l0) == 1);
    transport.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> pool().openConnections() == 0);
    assertThat(threadOf(l0)).isNotNull();
    assertThat(loops.group().isShuttingDown()).isFalse();
  }
}
