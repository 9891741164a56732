package dev.kumaforge.gateway.ai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kumaforge.gateway.Gateway;
import dev.kumaforge.gateway.upstream.netty.NettyTransport;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.concurrent.ExecutionContextExecutor;

/**
 * The thread hand-offs of an LLM request that the AI path makes itself: tasks it gives the
 * dispatcher ({@code ctx.dispatcher()}) between the client's request and the end of the answer.
 * Each is a thread wake-up (~6 us at p50, up to milliseconds at p99.9 on a shared machine). A plain
 * or streamed chat answered by a healthy provider over the Netty transport needs none: the upstream
 * response is handled on the thread that delivers it, and a stream's accounting at its end on the
 * stream's thread. A real mock provider on port 0, the real Netty transport and Pekko.
 */
class AiHandOffsIT {

  private static final AtomicInteger tasks = new AtomicInteger();
  private static AiPath path;

  @BeforeAll
  static void start() {
    ActorSystem system = ActorSystem.create("hand-offs", Gateway.pekkoConfig());
    NettyTransport netty =
        new NettyTransport(
            1, Materializer.matFromSystem(system), Logging.getLogger(system, "test"));
    ExecutionContextExecutor pekko = system.dispatcher();
    // the dispatcher as the AI path sees it: every task it is given is counted
    ExecutionContextExecutor counting =
        new ExecutionContextExecutor() {
          @Override
          public void execute(Runnable r) {
            tasks.incrementAndGet();
            pekko.execute(r);
          }

          @Override
          public void reportFailure(Throwable t) {
            pekko.reportFailure(t);
          }
        };
    path = new AiPath(AiPath.PROVIDERS, system, netty, counting);
  }

  @AfterAll
  static void stop() throws Exception {
    if (path != null) {
      path.close();
    }
  }

  private static HttpResponse call(String body) throws Exception {
    return path.call(body);
  }

  private static String text(HttpResponse r) throws Exception {
    return r.entity()
        .getDataBytes()
        .runFold(ByteString.emptyByteString(), ByteString::concat, path.system)
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS)
        .utf8String();
  }

  private static long settledRequests() {
    return path.ai.accounting().total().rows().stream().mapToLong(UsageLedger.Row::requests).sum();
  }

  @Test
  void aPlainAnswerNeedsNoDispatcherTask() throws Exception {
    // the first call opens the upstream connection: counted from the second on
    text(call("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
    // an answer whose body arrives in a later read than its head is read by Pekko and continues
    // on the dispatcher (one task), so single calls may take one; the old code took one every time
    int calls = 10;
    tasks.set(0);
    for (int i = 0; i < calls; i++) {
      HttpResponse r =
          call(
              "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"write to"
                  + " ops@example.com\"}]}");
      String body = text(r);
      assertEquals(200, r.status().intValue(), body);
      assertTrue(body.contains("\"usage\""), body);
    }
    assertTrue(
        tasks.get() < calls,
        "dispatcher tasks of "
            + calls
            + " plain chat answers: "
            + tasks.get()
            + " (old code: 1 each)");
  }

  @Test
  void aStreamedAnswerNeedsNoDispatcherTask() throws Exception {
    streamOnce();
    for (int i = 0; i < 5; i++) {
      tasks.set(0);
      streamOnce();
      assertEquals(0, tasks.get(), "dispatcher tasks of a streamed chat answer");
    }
  }

  @Test
  void aLongAnswerAfterStreamsOnItsConnectionIsReadWhole() throws Exception {
    // the streams' small reads shrink the connection's receive-buffer guess (Netty's default goes
    // down to 64 bytes); a ~4 KB JSON answer read next on the same connection must still come in
    // one read, head and body: a strict entity, not a streamed one that Pekko reads on the
    // dispatcher (a task each)
    int calls = 5;
    int chatTasks = 0;
    for (int i = 0; i < calls; i++) {
      for (int s = 0; s < 3; s++) {
        streamOnce();
      }
      tasks.set(0);
      HttpResponse r =
          call("{\"model\":\"gpt-4o-long\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      String body = text(r);
      assertEquals(200, r.status().intValue(), body);
      assertTrue(body.length() > 3000, "a long answer: " + body.length() + " characters");
      chatTasks += tasks.get();
    }
    assertTrue(
        chatTasks < calls,
        "dispatcher tasks of " + calls + " long answers, each after 3 streams: " + chatTasks);
  }

  /** One streamed chat, read to its end; returns once the gateway accounted for it. */
  private static void streamOnce() throws Exception {
    long settled = settledRequests();
    HttpResponse r =
        call(
            "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}");
    String body = text(r);
    assertEquals(200, r.status().intValue(), body);
    assertTrue(body.endsWith("data: [DONE]\n\n"), body);
    // the stream's end (accounting, metrics) runs when its body stage stops
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (settledRequests() == settled && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(settled + 1, settledRequests(), "the stream was accounted for once");
  }
}
