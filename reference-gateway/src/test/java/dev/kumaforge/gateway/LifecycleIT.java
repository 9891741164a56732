package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Graceful shutdown, stream idle timeout and the access log through real sockets. */
class LifecycleIT {
  private static String config(TestUpstream u, String extra) {
    return """
        backends:
          - name: b
            endpoints: [{address: "%s"}]
            timeouts: {http: {streamIdleTimeout: 500ms}}
        routes:
          - name: r
            backendRefs: [{name: b}]
        %s
        """
        .formatted(u.address(), extra);
  }

  @Test
  void closeDrainsInFlightRequestsAndStopsAccepting() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (TestUpstream u = new TestUpstream("u")) {
      GatewayFixture gw = new GatewayFixture(config(u, "shutdown: {drainTimeout: 5s}"));
      u.behave(
          (ex, n) -> {
            release.await(10, TimeUnit.SECONDS);
            TestUpstream.respond(ex, 200, "{\"drained\":true}");
          });
      CompletableFuture<HttpResponse<String>> inFlight =
          gw.client.sendAsync(
              HttpRequest.newBuilder(URI.create(gw.url("/slow"))).build(),
              HttpResponse.BodyHandlers.ofString());
      await().until(() -> u.count.get() == 1);
      java.util.concurrent.ExecutorService closer =
          java.util.concurrent.Executors.newSingleThreadExecutor();
      java.util.concurrent.Future<?> closing = closer.submit(gw::close);
      await().until(() -> gw.adminGetStatusOrMinus1("/ready") != 200);
      release.countDown();
      assertThat(inFlight.get(10, TimeUnit.SECONDS).body()).isEqualTo("{\"drained\":true}");
      closing.get(10, TimeUnit.SECONDS);
      closer.shutdown();
      assertThatThrownBy(() -> gw.get("/after")).isInstanceOf(RuntimeException.class);
    }
  }

  @Test
  void aStalledStreamIsCutAfterTheStreamIdleTimeout() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    try (TestUpstream u = new TestUpstream("u");
        GatewayFixture gw = new GatewayFixture(config(u, ""))) {
      u.behave(
          (ex, n) -> {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write("data: first\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            done.await(20, TimeUnit.SECONDS);
          });
      HttpResponse<InputStream> r =
          gw.client.send(
              HttpRequest.newBuilder(URI.create(gw.url("/stream"))).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      assertThat(r.statusCode()).isEqualTo(200);
      try (InputStream in = r.body()) {
        byte[] first = new byte[13];
        assertThat(in.readNBytes(first, 0, 13)).isEqualTo(13);
        // the upstream stalls: the gateway closes the upstream connection and ends the stream
        assertThatThrownBy(in::readAllBytes).isInstanceOf(java.io.IOException.class);
      } finally {
        done.countDown();
      }
    }
  }

  @Test
  void accessLogWritesOneEscapedJsonLinePerRequest() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger("dev.kumaforge.gateway.access");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(ch.qos.logback.classic.Level.INFO);
    try (TestUpstream u = new TestUpstream("u");
        GatewayFixture gw = new GatewayFixture(config(u, "accessLog: {enabled: true}"))) {
      assertThat(gw.get("/a%22b").statusCode()).isEqualTo(200);
      await().until(() -> !appender.list.isEmpty());
      String line = appender.list.get(0).getFormattedMessage();
      assertThat(line)
          .startsWith("{\"ts\":")
          .contains("\"method\":\"GET\"")
          .contains("\"path\":\"/a%22b\"")
          .contains("\"route\":\"r\",\"backend\":\"b\",\"status\":200,\"tries\":1");
    } finally {
      logger.detachAppender(appender);
    }
  }
}
