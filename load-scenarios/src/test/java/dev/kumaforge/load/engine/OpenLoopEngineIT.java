package dev.kumaforge.load.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kumaforge.common.hdr.HlogTags;
import dev.kumaforge.common.hdr.Hlogs;
import dev.kumaforge.common.units.Rate;
import dev.kumaforge.load.scenario.Arrivals;
import dev.kumaforge.load.scenario.Phase;
import dev.kumaforge.load.scenario.RequestSpec;
import dev.kumaforge.load.scenario.Workload;
import dev.kumaforge.load.testing.FixedLatencyServer;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenLoopEngineIT {
  @TempDir Path dir;

  static Workload workload(double rate, Duration warmup, Duration duration, Duration timeout) {
    return workload(
        rate,
        warmup,
        duration,
        timeout,
        RequestSpec.of(
            "POST", "/v1/chat/completions", Map.of("content-type", "application/json"), "{}"));
  }

  static Workload workload(
      double rate, Duration warmup, Duration duration, Duration timeout, RequestSpec request) {
    return Workload.openLoop(
        warmup,
        Arrivals.CONSTANT,
        timeout,
        256,
        Duration.ofMillis(200),
        List.of(Phase.constant("steady", Rate.perSecond(rate), duration)),
        request);
  }

  @Test
  void fixedLatencyRunCountsExactlyAndWritesTaggedLog() throws Exception {
    List<Progress> progress = new CopyOnWriteArrayList<>();
    try (FixedLatencyServer server = FixedLatencyServer.start(Duration.ofMillis(2))) {
      Workload w =
          workload(200, Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(2));
      LoadResult r =
          new OpenLoopEngine()
              .run(w, 1, server.uri(), dir.resolve("t1"), "direct", 1, progress::add);

      assertThat(r.attempted()).isEqualTo(600);
      assertThat(r.completed()).isEqualTo(600);
      assertThat(r.ok()).isEqualTo(600);
      assertThat(r.errors()).isZero();
      assertThat(r.intendedRateRps()).isEqualTo(200.0);
      assertThat(r.achievedRps()).isEqualTo(200.0);
      // + the warm-up: a ramp 20 -> 200/s over 0.5 s (55 sends), then 200/s for 0.5 s (100)
      assertThat(server.received()).isEqualTo(755);
      assertThat(r.maxConnectionsUsed()).isBetween(1, 256);
      assertThat(r.connections().closedByTarget()).isZero();

      Map<String, Histogram> totals = Hlogs.totals(dir.resolve("t1").resolve(HlogTags.LATENCY_LOG));
      assertThat(totals).containsKeys(HlogTags.LATENCY, HlogTags.ERROR, HlogTags.LAG);
      Histogram latency = totals.get(HlogTags.LATENCY);
      assertThat(latency.getTotalCount()).isEqualTo(600);
      assertThat(totals.get(HlogTags.ERROR).getTotalCount()).isZero();
      assertThat(totals.get(HlogTags.LAG).getTotalCount()).isEqualTo(600);
      // nothing can be faster than the server's fixed latency
      assertThat(latency.getMinValue()).isGreaterThanOrEqualTo(1990);
      // one interval per second and tag: 3 s measured, plus possibly a short last one
      assertThat(
              Hlogs.intervals(dir.resolve("t1").resolve(HlogTags.LATENCY_LOG)).stream()
                  .filter(h -> HlogTags.LATENCY.equals(h.getTag())))
          .hasSizeBetween(3, 5);
      String log = Files.readString(dir.resolve("t1").resolve(HlogTags.LATENCY_LOG));
      assertThat(log).contains("values in microseconds").contains("#[StartTime:");

      JsonNode json =
          new ObjectMapper().readTree(dir.resolve("t1").resolve("result.json").toFile());
      assertThat(json.get("target").asText()).isEqualTo("direct");
      assertThat(json.get("attempted").asLong()).isEqualTo(600);
      assertThat(json.get("lag_us").has("p999")).isTrue();
      // the spin window before each send, within SpinWindow's bounds
      JsonNode spin = json.get("spin_window_us");
      assertThat(spin.get("min").asLong()).isBetween(50L, spin.get("end").asLong());
      assertThat(spin.get("max").asLong()).isBetween(spin.get("end").asLong(), 500L);
      assertThat(r.spinWindow().end()).isEqualTo(spin.get("end").asLong());
      assertThat(json.has("invalid_reason")).isTrue();
      assertThat(progress).isNotEmpty();
      assertThat(progress).extracting(Progress::phase).contains("warmup", "steady");
      assertThat(progress.get(0).statusLine()).startsWith("direct#1 warmup 0.0/4.0s");

      System.out.printf(
          Locale.ROOT,
          "precision (fixed 2000us server): latency p50=%d p99=%d p999=%d max=%d;"
              + " lag p50=%d p99=%d p999=%d max=%d; valid=%s %s%n",
          latency.getValueAtPercentile(50),
          latency.getValueAtPercentile(99),
          latency.getValueAtPercentile(99.9),
          latency.getMaxValue(),
          r.lag().p50(),
          r.lag().p99(),
          r.lag().p999(),
          r.lag().max(),
          r.valid(),
          r.invalidReason());
    }
  }

  /**
   * Requests are written pre-encoded, without HttpClientCodec's encoder telling its decoder the
   * method: the answer to a HEAD carries a Content-Length but no body, and a decoder that waited
   * for that body would take the next answer for it and time out.
   */
  @Test
  void headAnswersHaveNoBodyAndKeepTheirConnection() throws Exception {
    try (FixedLatencyServer server = FixedLatencyServer.start(Duration.ofMillis(1))) {
      Workload w =
          workload(
              200,
              Duration.ofSeconds(1),
              Duration.ofSeconds(2),
              Duration.ofSeconds(1),
              RequestSpec.of("HEAD", "/v1/models", Map.of(), null));
      LoadResult r =
          new OpenLoopEngine().run(w, 1, server.uri(), dir.resolve("head"), "direct", 1, p -> {});

      assertThat(r.attempted()).isEqualTo(400);
      assertThat(r.ok()).as(r.toString()).isEqualTo(400);
      assertThat(r.errors()).isZero();
      assertThat(r.connections().closedByTarget()).isZero();
      assertThat(server.received("/v1/models")).isEqualTo(server.received());
    }
  }

  /**
   * Coordinated omission: the server freezes for 1 s in the middle of a constant-rate run. Every
   * request scheduled during the freeze is still sent and timed from its intended send time, so the
   * top of the distribution shows the freeze.
   */
  @Test
  void freezeShowsUpInTheTailBecauseTimingStartsAtTheIntendedSendTime() throws Exception {
    try (FixedLatencyServer server = FixedLatencyServer.start(Duration.ofMillis(1))) {
      // the warm-up sends 155 (a ramp 20 -> 200/s over 0.5 s, then 200/s for 0.5 s), then the
      // freeze starts with the 555th request, 2 s into the measurement
      server.freezeAfter(555, Duration.ofSeconds(1));
      Workload w =
          workload(200, Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5));
      LoadResult r =
          new OpenLoopEngine()
              .run(w, 1, server.uri(), dir.resolve("co"), "direct", 1, ProgressListener.NONE);

      assertThat(r.attempted()).isEqualTo(1000);
      assertThat(r.completed()).isEqualTo(1000);
      assertThat(r.ok()).isEqualTo(1000);
      assertThat(server.received()).isEqualTo(1155);
      Histogram latency =
          Hlogs.totals(dir.resolve("co").resolve(HlogTags.LATENCY_LOG)).get(HlogTags.LATENCY);
      assertThat(latency.getTotalCount()).isEqualTo(1000);
      assertThat(latency.getValueAtPercentile(99.9)).isGreaterThanOrEqualTo(900_000);
      assertThat(latency.getMaxValue()).isGreaterThanOrEqualTo(950_000);
      // the 200 requests scheduled during the freeze waited from 1 s down to 0 s: all counted, so
      // at least the ~180 scheduled in its first 900 ms took 100 ms or more (machine stalls can
      // add a few more, never fewer)
      long over100ms = latency.getTotalCount() - latency.getCountBetweenValues(0, 100_000);
      assertThat(over100ms).isGreaterThanOrEqualTo(170L);
      assertThat(latency.getValueAtPercentile(99)).isGreaterThanOrEqualTo(800_000);
      System.out.printf(
          Locale.ROOT,
          "coordinated omission: p50=%d p90=%d p99=%d p999=%d max=%d over100ms=%d conns=%d%n",
          latency.getValueAtPercentile(50),
          latency.getValueAtPercentile(90),
          latency.getValueAtPercentile(99),
          latency.getValueAtPercentile(99.9),
          latency.getMaxValue(),
          over100ms,
          r.maxConnectionsUsed());
    }
  }

  /**
   * A target that closes keep-alive connections (here every 10th answer carries {@code Connection:
   * close}) makes the generator open new ones; both are counted for the measured window.
   */
  @Test
  void connectionsTheTargetClosesAreCounted() throws Exception {
    com.sun.net.httpserver.HttpServer server =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress("127.0.0.1", 0), 50);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    server.setExecutor(pool);
    server.createContext(
        "/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          byte[] body = "{}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
          if (n.incrementAndGet() % 10 == 0) {
            ex.getResponseHeaders().set("Connection", "close");
          }
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.start();
    try {
      Workload w =
          workload(100, Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(2));
      URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
      LoadResult r = new OpenLoopEngine().run(w, 1, uri, dir, "t", 1, ProgressListener.NONE);
      assertThat(r.errors()).isZero();
      // 200 measured answers, every 10th closing its connection (+-1 at the window's edges)
      assertThat(r.connections().closedByTarget()).isBetween(19L, 21L);
      assertThat(r.connections().opened()).isBetween(10L, 21L);
      JsonNode json = new ObjectMapper().readTree(dir.resolve(OpenLoopEngine.RESULT_FILE).toFile());
      assertThat(json.path("connections_measured").path("closed_by_target").asLong())
          .isEqualTo(r.connections().closedByTarget());
    } finally {
      server.stop(0);
      pool.shutdownNow();
    }
  }

  /**
   * With the pool at its cap, requests wait for a connection; that wait is part of their latency
   * (timed from the intended send) and a request that cannot finish within the timeout is a timeout
   * error, never silently dropped.
   */
  @Test
  void waitingForAConnectionAtTheCapIsMeasured() throws Exception {
    try (FixedLatencyServer slow = FixedLatencyServer.start(Duration.ofMillis(400))) {
      // one connection, 400 ms per request, 20 req/s, 300 ms timeout
      Workload w =
          Workload.openLoop(
              Duration.ZERO,
              Arrivals.CONSTANT,
              Duration.ofMillis(300),
              1,
              Duration.ofSeconds(1),
              List.of(Phase.constant("p", Rate.perSecond(20), Duration.ofMillis(500))),
              RequestSpec.defaults());
      LoadResult r = new OpenLoopEngine().run(w, 1, slow.uri(), dir, "t", 1, ProgressListener.NONE);
      assertThat(r.attempted()).isEqualTo(10);
      assertThat(r.completed()).isEqualTo(10);
      assertThat(r.errorsByKind()).containsExactly(Map.entry("timeout", 10L));
      assertThat(r.maxConnectionsUsed()).isEqualTo(1);
      Histogram errors = Hlogs.totals(dir.resolve(HlogTags.LATENCY_LOG)).get(HlogTags.ERROR);
      assertThat(errors.getTotalCount()).isEqualTo(10);
      assertThat(errors.getMinValue()).isGreaterThanOrEqualTo(299_000);
    }
  }

  @Test
  void classifiesStatusTimeoutAndConnectErrors() throws Exception {
    try (FixedLatencyServer server = FixedLatencyServer.start(Duration.ofMillis(1))) {
      server.status(503);
      LoadResult r =
          new OpenLoopEngine()
              .run(
                  workload(50, Duration.ZERO, Duration.ofMillis(500), Duration.ofSeconds(1)),
                  1,
                  server.uri(),
                  dir.resolve("s"),
                  "t",
                  1,
                  ProgressListener.NONE);
      assertThat(r.errors()).isEqualTo(25);
      assertThat(r.errorsByKind()).containsExactly(Map.entry("status_503", 25L));
      assertThat(
              Hlogs.totals(dir.resolve("s").resolve(HlogTags.LATENCY_LOG))
                  .get(HlogTags.ERROR)
                  .getTotalCount())
          .isEqualTo(25);
    }
    try (FixedLatencyServer slow = FixedLatencyServer.start(Duration.ofMillis(800))) {
      LoadResult r =
          new OpenLoopEngine()
              .run(
                  workload(40, Duration.ZERO, Duration.ofMillis(500), Duration.ofMillis(100)),
                  1,
                  slow.uri(),
                  dir.resolve("t"),
                  "t",
                  1,
                  ProgressListener.NONE);
      assertThat(r.completed()).isEqualTo(20);
      assertThat(r.errorsByKind()).containsExactly(Map.entry("timeout", 20L));
    }
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    LoadResult r =
        new OpenLoopEngine()
            .run(
                workload(20, Duration.ZERO, Duration.ofMillis(500), Duration.ofSeconds(1)),
                1,
                URI.create("http://127.0.0.1:" + closedPort),
                dir.resolve("c"),
                "t",
                1,
                ProgressListener.NONE);
    assertThat(r.completed()).isEqualTo(10);
    assertThat(r.errorsByKind()).containsExactly(Map.entry("connect", 10L));
  }
}
