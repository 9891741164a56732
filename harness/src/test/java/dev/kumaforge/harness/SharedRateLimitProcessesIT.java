package dev.kumaforge.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.kumaforge.gateway.internal.LettuceTransport;
import dev.kumaforge.harness.chaos.RedisServer;
import dev.kumaforge.harness.process.ManagedProcess;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RELIABILITY.md 30 and 31 with real processes: {@code forge gateway} replicas started like the
 * harness starts them (a JVM each, the test's class path), one real redis-server, a shared rate
 * limit.
 *
 * <p>Tolerance of item 31: GCRA in Redis admits at most {@code burst + t x rate} over any span t of
 * Redis time. Requests sent in a 1 s window of client time reach Redis within that window plus the
 * longest response time m, so each window may accept at most {@code L + burst + rate x m} (L = the
 * limit per second); the whole run at most {@code burst + rate x (last answer - first send)}.
 */
class SharedRateLimitProcessesIT {
  private static final int RATE = 100;
  private static final int BURST = 10;

  static {
    // the test's own Lettuce client, on the harness class path with io_uring
    LettuceTransport.withoutIoUring();
  }

  @TempDir Path dir;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private HttpServer upstream;
  private ExecutorService upstreamThreads;

  @BeforeEach
  void upstream() throws IOException {
    upstreamThreads = Executors.newFixedThreadPool(4);
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
    upstream.setExecutor(upstreamThreads);
    upstream.createContext(
        "/",
        ex -> {
          byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
          ex.getRequestBody().readAllBytes();
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    upstream.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    upstream.stop(0);
    upstreamThreads.shutdownNow();
  }

  private static void requireRedis() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String d : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, "redis-server"))) {
        return;
      }
    }
    if ("1".equals(System.getenv("FORGE_REQUIRE_PEERS"))) {
      Assertions.fail("redis-server is not on PATH and FORGE_REQUIRE_PEERS=1");
    }
    Assumptions.abort("redis-server is not on PATH");
  }

  private RedisServer redis() throws InterruptedException {
    requireRedis();
    RedisServer r = RedisServer.start("redis-server", dir.resolve("redis.log"), () -> false);
    resources.add(r);
    return r;
  }

  /** Starts {@code forge gateway} with {@code routes}; returns the process and its listeners. */
  private Replica gateway(String name, int redisPort, String routes) throws Exception {
    String yaml =
        """
        listeners:
          public: {address: "127.0.0.1:0"}
          admin: {address: "127.0.0.1:0"}
        redis:
          main: {uri: "redis://127.0.0.1:%d"}
        backends:
          - name: api
            endpoints: [{address: "127.0.0.1:%d"}]
        routes:
        %s
        """
            .formatted(redisPort, upstream.getAddress().getPort(), routes.indent(2));
    Path config = dir.resolve(name + ".yaml");
    Files.writeString(config, yaml);
    Path ready = dir.resolve(name + ".ready.json");
    ManagedProcess p =
        ManagedProcess.startForge(
            name,
            dir.resolve(name + ".log"),
            ready,
            List.of("-Xmx256m", "-XX:ActiveProcessorCount=1"),
            List.of("gateway", "--config", config.toString(), "--ready-file", ready.toString()));
    resources.add(p);
    Map<String, String> urls = p.awaitReady(Duration.ofSeconds(60));
    return new Replica(p, urls.get("public"), urls.get("admin"));
  }

  record Replica(ManagedProcess process, String url, String admin) {}

  record Outcome(
      String path, long sentNanos, long doneNanos, int status, HttpResponse<?> response) {
    long latencyNanos() {
      return doneNanos - sentNanos;
    }
  }

  /** Closed-loop clients, each on its own thread, until {@link #stop()}. */
  static final class Load implements AutoCloseable {
    final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    Load(int clients, List<HttpClient> http, List<String> urls) {
      for (int i = 0; i < clients; i++) {
        int n = i;
        Thread t =
            new Thread(
                () -> {
                  HttpClient c = http.get(n % http.size());
                  int k = n;
                  while (running.get()) {
                    String url = urls.get(k++ % urls.size());
                    long sent = System.nanoTime();
                    try {
                      HttpResponse<String> r =
                          c.send(
                              HttpRequest.newBuilder(URI.create(url))
                                  .timeout(Duration.ofSeconds(10))
                                  .build(),
                              HttpResponse.BodyHandlers.ofString());
                      outcomes.add(
                          new Outcome(
                              URI.create(url).getPath(),
                              sent,
                              System.nanoTime(),
                              r.statusCode(),
                              r));
                    } catch (IOException e) {
                      outcomes.add(
                          new Outcome(
                              URI.create(url).getPath(), sent, System.nanoTime(), -1, null));
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                },
                "client-" + i);
        t.start();
        threads.add(t);
      }
    }

    void stop() {
      running.set(false);
      try {
        for (Thread t : threads) {
          t.join(15_000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      stop();
    }
  }

  private static HttpClient client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  private static List<String> keysWithoutTtl(RedisCommands<String, String> sync, List<String> all) {
    List<String> without = new ArrayList<>();
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page = sync.scan(cursor, ScanArgs.Builder.limit(1000));
      for (String k : page.getKeys()) {
        all.add(k);
        long pttl = sync.pttl(k);
        if (pttl == -1) {
          without.add(k);
        }
      }
      cursor = page;
    } while (!cursor.isFinished());
    return without;
  }

  @Test
  void threeReplicasAndFiftyClientsStayWithinTheSharedLimitInEveryWindow() throws Exception {
    RedisServer redis = redis();
    String routes =
        """
        - name: limited
          matches: [{path: {type: PathPrefix, value: /limited}}]
          backendRefs: [{name: api}]
          rateLimit:
            num: %d
            interval: 1s
            burst: %d
            shared: {redis: main, timeout: 1s}
        - name: tenants
          matches: [{path: {type: PathPrefix, value: /tenants}}]
          backendRefs: [{name: api}]
          rateLimit:
            num: 1
            interval: 1m
            key: Header
            header: x-tenant
            shared: {redis: main}
        """
            .formatted(RATE, BURST);
    List<Replica> replicas = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      replicas.add(gateway("gw" + i, redis.port(), routes));
    }
    List<HttpClient> clients = List.of(client(), client(), client());
    // 50 connections: client i loops on replica i % 3
    List<String> urls = new ArrayList<>();
    for (Replica r : replicas) {
      urls.add(r.url() + "/limited");
    }
    Load load = new Load(50, clients, urls);
    resources.add(load);
    // warm-up (JIT, connections), then three measured windows
    await().atMost(Duration.ofSeconds(120)).until(() -> load.outcomes.size() >= 1_000);
    long t0 = System.nanoTime();
    long windows = 3;
    await()
        .pollInterval(Duration.ofMillis(50))
        .atMost(Duration.ofSeconds(30))
        .until(() -> System.nanoTime() - t0 > windows * 1_000_000_000L + 200_000_000L);
    load.stop();
    for (int t = 0; t < 5; t++) {
      HttpResponse<String> r =
          clients
              .get(0)
              .send(
                  HttpRequest.newBuilder(URI.create(replicas.get(t % 3).url() + "/tenants"))
                      .header("x-tenant", "t" + t)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
    }

    List<Outcome> all = load.outcomes.stream().filter(o -> o.sentNanos() >= t0).toList();
    long last = all.stream().mapToLong(Outcome::doneNanos).max().orElseThrow();
    long maxLatency = all.stream().mapToLong(Outcome::latencyNanos).max().orElseThrow();
    assertThat(all).allSatisfy(o -> assertThat(o.status()).isIn(200, 429));
    for (Outcome o : all) {
      if (o.status() == 429) {
        assertThat(o.response().headers().firstValue("retry-after")).isPresent();
        assertThat(o.response().headers().firstValue("ratelimit-limit")).hasValue("" + BURST);
        assertThat(o.response().headers().firstValue("ratelimit-remaining")).hasValue("0");
      }
    }
    long accepted = all.stream().filter(o -> o.status() == 200).count();
    double span = (last - t0) / 1e9;
    System.out.printf(
        "shared limit %d/s burst %d, 3 replicas, 50 clients: %d requests, %d accepted in %.2f s"
            + " (bound %.0f), longest response %.1f ms%n",
        RATE, BURST, all.size(), accepted, span, BURST + RATE * span, maxLatency / 1e6);
    assertThat((double) accepted).isLessThanOrEqualTo(BURST + RATE * span);
    double tolerance = BURST + RATE * (maxLatency / 1e9);
    for (int w = 0; w < windows; w++) {
      long from = t0 + w * 1_000_000_000L;
      long to = from + 1_000_000_000L;
      long inWindow =
          all.stream()
              .filter(o -> o.status() == 200 && o.sentNanos() >= from && o.sentNanos() < to)
              .count();
      long sent = all.stream().filter(o -> o.sentNanos() >= from && o.sentNanos() < to).count();
      System.out.printf(
          "window %d: %d sent, %d accepted (L %d + tolerance %.1f)%n",
          w, sent, inWindow, RATE, tolerance);
      assertThat((double) inWindow).as("window " + w).isLessThanOrEqualTo(RATE + tolerance);
      // offered load above the limit, which refuses some but not everything
      assertThat(sent - inWindow).as("window " + w + " refused").isPositive();
      assertThat(inWindow).as("window " + w).isGreaterThanOrEqualTo(RATE / 2);
    }
    try (RedisClient rc = RedisClient.create("redis://127.0.0.1:" + redis.port());
        StatefulRedisConnection<String, String> conn = rc.connect()) {
      List<String> keys = new ArrayList<>();
      assertThat(keysWithoutTtl(conn.sync(), keys)).isEmpty();
      assertThat(keys).contains("forge:rl:tenants:t0", "forge:rl:tenants:t4");
    }
  }

  private static final Pattern THREADS = Pattern.compile("(?m)^Threads:\\s+(\\d+)");

  private static int threads(ManagedProcess p) throws IOException {
    Matcher m = THREADS.matcher(Files.readString(Path.of("/proc/" + p.pid() + "/status")));
    assertThat(m.find()).isTrue();
    return Integer.parseInt(m.group(1));
  }

  /**
   * Threads of {@code p} by kind: Pekko's (its fork-join dispatcher grows and shrinks on its own,
   * within its bounds) and all others (Lettuce, timers, the JVM), which must not grow.
   */
  private static int[] threadKinds(ManagedProcess p) throws IOException {
    int pekko = 0;
    int other = 0;
    try (var tasks = Files.list(Path.of("/proc/" + p.pid() + "/task"))) {
      for (Path t : tasks.toList()) {
        String name;
        try {
          name = Files.readString(t.resolve("comm")).trim();
        } catch (IOException e) {
          continue; // the thread ended meanwhile
        }
        if (name.startsWith("forge-gateway-p")) {
          pekko++;
        } else {
          other++;
        }
      }
    }
    return new int[] {pekko, other};
  }

  /** Thread names of {@code p} (as the kernel keeps them: 15 characters), for messages. */
  private static String threadNames(ManagedProcess p) throws IOException {
    java.util.TreeMap<String, Integer> names = new java.util.TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc/" + p.pid() + "/task"))) {
      for (Path t : tasks.toList()) {
        try {
          names.merge(Files.readString(t.resolve("comm")).trim(), 1, Integer::sum);
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    }
    return names.toString();
  }

  private static double metric(Replica r, String series) throws Exception {
    String text =
        client()
            .send(
                HttpRequest.newBuilder(URI.create(r.admin() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return 0;
  }

  private static boolean answered(Load load, String path, int status, long sentAfter) {
    return load.outcomes.stream()
        .anyMatch(o -> o.path().equals(path) && o.status() == status && o.sentNanos() > sentAfter);
  }

  record Outage(long killed, long restarted, long recoveredAt) {
    double seconds() {
      return (restarted - killed) / 1e9;
    }

    double recoveryMillis() {
      return (recoveredAt - restarted) / 1e6;
    }

    double failingSeconds() {
      return (recoveredAt - killed) / 1e9;
    }
  }

  /** Stops Redis under load until both failure modes show, 2 s more, then starts it again. */
  private static Outage outage(RedisServer redis, Load load) throws InterruptedException {
    long killed = System.nanoTime();
    redis.kill(false);
    await().atMost(Duration.ofSeconds(10)).until(() -> answered(load, "/closed", 503, killed));
    await().atMost(Duration.ofSeconds(10)).until(() -> answered(load, "/open", 429, killed));
    await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
    long restarted = System.nanoTime();
    redis.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> answered(load, "/closed", 200, restarted));
    long recoveredAt =
        load.outcomes.stream()
            .filter(o -> o.path().equals("/closed") && o.status() == 200)
            .filter(o -> o.sentNanos() > restarted)
            .mapToLong(Outcome::doneNanos)
            .min()
            .orElseThrow();
    return new Outage(killed, restarted, recoveredAt);
  }

  @Test
  void redisDownSlowAndRestartedUnderLoadFollowsTheFailureModeAndRecovers() throws Exception {
    Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/status")), "needs /proc");
    RedisServer redis = redis();
    Replica gw =
        gateway(
            "gw",
            redis.port(),
            """
            - name: open
              matches: [{path: {type: PathPrefix, value: /open}}]
              backendRefs: [{name: api}]
              rateLimit:
                num: 100000
                shared: {redis: main, timeout: 100ms, localCap: {num: 20, interval: 1s}}
            - name: closed
              matches: [{path: {type: PathPrefix, value: /closed}}]
              backendRefs: [{name: api}]
              rateLimit:
                num: 100000
                shared: {redis: main, timeout: 100ms, failureMode: Closed}
            - name: free
              matches: [{path: {type: PathPrefix, value: /}}]
              backendRefs: [{name: api}]
            """);
    Load load =
        new Load(
            6,
            List.of(client()),
            List.of(gw.url() + "/open", gw.url() + "/closed", gw.url() + "/free"));
    resources.add(load);
    await().atMost(Duration.ofSeconds(30)).until(() -> load.outcomes.size() > 300);
    int threadsBefore = threads(gw.process());

    // down and restarted, slow, then down and restarted again
    Outage first = outage(redis, load);
    await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> true);
    int threadsAfterFirst = threads(gw.process());

    // slow: Redis busy for 2 s (a busy script; DEBUG SLEEP needs enable-debug-command)
    long slowFrom = System.nanoTime();
    AtomicLong busyMicros = new AtomicLong();
    Thread busy =
        new Thread(
            () -> {
              try (RedisClient rc = RedisClient.create("redis://127.0.0.1:" + redis.port());
                  StatefulRedisConnection<String, String> c = rc.connect()) {
                Long n =
                    c.sync()
                        .eval(
                            "local a = redis.call('TIME') local n = 0 repeat local b ="
                                + " redis.call('TIME') n = (b[1] - a[1]) * 1000000 + (b[2] - a[2])"
                                + " until n >= 2000000 return n",
                            ScriptOutputType.INTEGER);
                busyMicros.set(n);
              }
            },
            "redis-busy");
    busy.start();
    busy.join(20_000);
    assertThat(busyMicros.get()).as("Redis was busy").isGreaterThanOrEqualTo(2_000_000L);
    long slowTo = System.nanoTime();
    await().atMost(Duration.ofSeconds(10)).until(() -> answered(load, "/closed", 200, slowTo));
    // every kind of failure has happened once: threads started once (Lettuce's second event loop
    // and its event executors, timers) exist now; the second outage must not add any
    int othersBefore = threadKinds(gw.process())[1];
    String namesBefore = threadNames(gw.process());
    Outage second = outage(redis, load);
    load.stop();

    List<Outcome> all = new ArrayList<>(load.outcomes);
    // requests without a rate limit are unaffected
    assertThat(all.stream().filter(o -> o.path().equals("/free")))
        .isNotEmpty()
        .allSatisfy(o -> assertThat(o.status()).isEqualTo(200));
    // fail open never answers 5xx; fail closed answers 503, nothing else but 200
    assertThat(all.stream().filter(o -> o.path().equals("/open")))
        .allSatisfy(o -> assertThat(o.status()).isIn(200, 429));
    assertThat(all.stream().filter(o -> o.path().equals("/closed")))
        .allSatisfy(o -> assertThat(o.status()).isIn(200, 503));
    // while Redis is blocked, decisions are made at the timeout (100 ms): fail-closed answers
    // arrive while Redis is still busy, without waiting for it
    List<Outcome> slow =
        all.stream()
            .filter(o -> !o.path().equals("/free"))
            .filter(o -> o.sentNanos() > slowFrom + 200_000_000L && o.sentNanos() < slowTo)
            .toList();
    long slowMax = slow.stream().mapToLong(Outcome::latencyNanos).max().orElseThrow();
    long slowMedian =
        slow.stream()
            .mapToLong(Outcome::latencyNanos)
            .sorted()
            .skip(slow.size() / 2)
            .findFirst()
            .orElseThrow();
    assertThat(slow.stream().filter(o -> o.status() == 503 && o.doneNanos() < slowTo))
        .as("503s answered while Redis was still blocked")
        .isNotEmpty();
    // the local cap held while failing open: at most burst + rate x time per failing period
    double allowed =
        metric(gw, "gateway_ratelimit_decisions_total{result=\"fallback_allowed\",route=\"open\"}");
    double refused =
        metric(gw, "gateway_ratelimit_decisions_total{result=\"fallback_refused\",route=\"open\"}");
    double failingSeconds =
        first.failingSeconds() + second.failingSeconds() + (slowTo - slowFrom) / 1e9 + 0.5;
    assertThat(refused).isPositive();
    // each of the three failing periods may start with a full local bucket (burst 20)
    assertThat(allowed).isPositive().isLessThanOrEqualTo(3 * 20 + 20 * failingSeconds);
    // no thread leak: the second outage added no thread besides Pekko's dispatcher, which grows
    // and shrinks on its own within its bounds
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              int[] kinds = threadKinds(gw.process());
              assertThat(kinds[1])
                  .as("non-Pekko threads, before the second outage %s", namesBefore)
                  .isLessThanOrEqualTo(othersBefore);
              assertThat(kinds[0]).as("Pekko threads").isLessThanOrEqualTo(32);
            });
    System.out.printf(
        "outages %.1f s and %.1f s: recovery %.0f ms and %.0f ms after restart; slow 2 s: longest"
            + " answer %.1f ms (median %.1f ms); fail-open allowed %.0f / refused %.0f in %.1f s failing;"
            + " threads %d before, %d after the first outage, %d at the end (%s)%n",
        first.seconds(),
        second.seconds(),
        first.recoveryMillis(),
        second.recoveryMillis(),
        slowMax / 1e6,
        slowMedian / 1e6,
        allowed,
        refused,
        failingSeconds,
        threadsBefore,
        threadsAfterFirst,
        threads(gw.process()),
        threadNames(gw.process()));
  }
}
