package dev.kumaforge.gateway.upstream.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.config.HostPort;
import dev.kumaforge.gateway.upstream.Endpoint;
import dev.kumaforge.gateway.upstream.UpstreamFailure;
import dev.kumaforge.gateway.upstream.UpstreamQueue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Date;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.util.Try;

/** Netty response -> Pekko response conversion of {@link Connection}, without sockets. */
class ConnectionTest {
  static ActorSystem system;
  static Materializer materializer;
  static EventLoopGroup unused;

  @BeforeAll
  static void start() {
    system =
        ActorSystem.create(
            "connection-test", ConfigFactory.parseString("pekko.loglevel = WARNING"));
    materializer = Materializer.matFromSystem(system);
    unused = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stop() {
    unused.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    system.terminate();
  }

  /** A connection on an EmbeddedChannel with the codec, and the callback's last result. */
  static final class Wire {
    final Connection connection;
    final EmbeddedChannel channel;

    /**
     * Waits for {@code stage} while running the channel's pending tasks: the body's source hands
     * its attach, demand and cancel to the channel's loop as tasks, which an EmbeddedChannel runs
     * only when asked.
     */
    <T> T drive(java.util.concurrent.CompletionStage<T> stage) throws Exception {
      java.util.concurrent.CompletableFuture<T> f = stage.toCompletableFuture();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!f.isDone() && System.nanoTime() < until) {
        channel.runPendingTasks();
        Thread.sleep(1);
      }
      return f.get(1, TimeUnit.SECONDS);
    }

    final AtomicReference<Try<HttpResponse>> result = new AtomicReference<>();
    final UpstreamQueue.Callback callback = result::set;

    Wire() {
      Backend backend =
          new Backend(
              "b",
              List.of(new Backend.Endpoint("127.0.0.1:9", 1)),
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null);
      Endpoint endpoint = new Endpoint(HostPort.parse("127.0.0.1:9"), 1);
      NettyPool pool =
          new NettyPool(
              unused, NioSocketChannel.class, endpoint, backend, materializer, system.log());
      connection = new Connection(pool, 1000, 1000);
      channel = new EmbeddedChannel(new HttpClientCodec(), connection);
    }

    String sent() {
      StringBuilder sb = new StringBuilder();
      ByteBuf b;
      while ((b = channel.readOutbound()) != null) {
        sb.append(b.toString(StandardCharsets.US_ASCII));
        b.release();
      }
      return sb.toString();
    }

    void receive(String wire) {
      channel.writeInbound(Unpooled.copiedBuffer(wire, StandardCharsets.US_ASCII));
    }

    HttpResponse response() {
      assertThat(result.get()).isNotNull();
      assertThat(result.get().isSuccess()).as(String.valueOf(result.get())).isTrue();
      return result.get().get();
    }
  }

  @Test
  void aBodyThatCameWithTheHeadBecomesAStrictEntityAndTheConnectionIsReused() throws Exception {
    Wire w = new Wire();
    w.connection.send(
        HttpRequest.POST("/v1/chat?x=1").withEntity(ContentTypes.APPLICATION_JSON, "{}"),
        w.callback);
    String sent = w.sent();
    assertThat(sent)
        .startsWith("POST /v1/chat?x=1 HTTP/1.1\r\n")
        .containsIgnoringCase("host: 127.0.0.1:9\r\n")
        .containsIgnoringCase("content-type: application/json\r\n")
        .containsIgnoringCase("content-length: 2\r\n")
        .endsWith("\r\n\r\n{}");

    w.receive(
        "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
            + "X-Up: 1\r\nDate: Sun, 22 Nov 2026 02:00:00 GMT\r\nConnection: keep-alive\r\n\r\n"
            + "{\"ok\":true}");

    HttpResponse r = w.response();
    assertThat(r.status().intValue()).isEqualTo(201);
    assertThat(r.entity()).isInstanceOf(HttpEntity.Strict.class);
    assertThat(((HttpEntity.Strict) r.entity()).getData().utf8String()).isEqualTo("{\"ok\":true}");
    assertThat(r.entity().getContentType()).isEqualTo(ContentTypes.APPLICATION_JSON);
    assertThat(r.getHeaders())
        .extracting(HttpHeader::lowercaseName)
        .containsExactly("x-up", "date");
    assertThat(r.getHeader("date").get()).isInstanceOf(Date.class);

    w.result.set(null);
    w.connection.send(HttpRequest.GET("/again"), w.callback);
    assertThat(w.sent()).startsWith("GET /again HTTP/1.1\r\n").doesNotContainIgnoringCase("length");
    w.receive("HTTP/1.1 204 No Content\r\n\r\n");
    assertThat(w.response().status().intValue()).isEqualTo(204);
    assertThat(w.channel.isOpen()).isTrue();
  }

  @Test
  void aBodyStillComingIsStreamedChunkByChunkWithoutCoalescing() throws Exception {
    Wire w = new Wire();
    w.connection.send(HttpRequest.GET("/stream"), w.callback);
    w.sent();
    w.receive(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "7\r\ndata:1\n\r\n");
    HttpResponse r = w.response();
    assertThat(r.entity()).isNotInstanceOf(HttpEntity.Strict.class);
    assertThat(r.entity().getContentType().mediaType().toString()).isEqualTo("text/event-stream");
    assertThat(r.getHeaders()).isEmpty();
    w.receive("7\r\ndata:2\n\r\n7\r\ndata:3\n\r\n0\r\n\r\n");
    assertThat(w.channel.isOpen()).isTrue();

    List<ByteString> chunks = w.drive(r.entity().getDataBytes().runWith(Sink.seq(), materializer));
    assertThat(chunks)
        .extracting(ByteString::utf8String)
        .containsExactly("data:1\n", "data:2\n", "data:3\n");
  }

  @Test
  void cancellingAStreamedBodyClosesTheConnection() throws Exception {
    Wire w = new Wire();
    w.connection.send(HttpRequest.GET("/stream"), w.callback);
    w.sent();
    w.receive(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "7\r\ndata:1\n\r\n");
    ByteString first =
        w.drive(w.response().entity().getDataBytes().runWith(Sink.head(), materializer));
    assertThat(first.utf8String()).isEqualTo("data:1\n");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              w.channel.runPendingTasks();
              return !w.channel.isOpen();
            });
  }

  @Test
  void aConnectionClosedBeforeTheHeadFailsTheRequestAsReset() {
    Wire w = new Wire();
    w.connection.send(HttpRequest.GET("/"), w.callback);
    w.sent();
    w.receive("HTTP/1.1 200 OK\r\nContent-Le");
    w.channel.close();
    assertThat(w.result.get().isFailure()).isTrue();
    assertThat(UpstreamFailure.classify(w.result.get().failed().get()))
        .isEqualTo(UpstreamFailure.RESET);
  }

  @Test
  void anAbortedTryClosesItsConnection() {
    Wire w = new Wire();
    AtomicReference<Runnable> abort = new AtomicReference<>();
    w.connection.send(
        HttpRequest.GET("/slow"),
        new UpstreamQueue.Callback() {
          @Override
          public void onResult(Try<HttpResponse> result) {
            w.result.set(result);
          }

          @Override
          public boolean attached(Runnable a) {
            abort.set(a);
            return true;
          }
        });
    abort.get().run();
    w.channel.runPendingTasks();
    assertThat(w.channel.isOpen()).isFalse();
    assertThat(w.result.get().isFailure()).isTrue();
  }
}
