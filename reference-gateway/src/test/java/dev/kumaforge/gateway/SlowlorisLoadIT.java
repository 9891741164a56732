package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.backends.MockBackends;
import dev.kumaforge.backends.config.BackendsConfig;
import dev.kumaforge.gateway.config.GatewayConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * RELIABILITY 13 at full size, run by hand (it takes about 40 s and prints figures; it asserts no
 * timing): normal clients' latency without and with 2,000 connections trickling header bytes that
 * reconnect whenever the header deadline closes them.
 *
 * <pre>
 * ./mvnw -B -o -pl reference-gateway -am verify -Dit.test=SlowlorisLoadIT -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
 *     -Dforge.manualTests= [-Dforge.serverTransport=pekko|netty] [-Dforge.slowloris.target=nginx]
 * </pre>
 *
 * <p>{@code -Dforge.slowloris.target=nginx}: the same load against a real nginx (one worker, {@code
 * client_header_timeout 5s}) in the gateway's place, as a control of what the machine itself costs.
 *
 * <p>Normal load: 4 keep-alive connections at 100 req/s each ({@code GET /health/ready} of a mock
 * provider), timed from the intended send time.
 */
@Tag("manual")
class SlowlorisLoadIT {
  private static final int ATTACKERS = 2_000;
  private static final int CLIENTS = 4;
  private static final int RATE_PER_CLIENT = 100;
  private static final long PHASE_NANOS = TimeUnit.SECONDS.toNanos(15);

  @Test
  void normalClientsKeepTheirLatencyUnder2000TricklingConnections() throws Exception {
    try (MockBackends u =
        MockBackends.start(
            BackendsConfig.parse(
                """
                seed: 1
                providers:
                  - name: p
                    listen: 127.0.0.1:0
                    models: [{name: m, price: {input: 1, output: 1}}]
                """,
                "slowloris providers"))) {
      String backend = URI.create(u.listeners().get("p")).getAuthority();
      if ("nginx".equals(System.getProperty("forge.slowloris.target", "gateway"))) {
        System.out.println("SLOWLORIS target: nginx (control, 1 worker)");
        try (NginxControl nginx = NginxControl.start(backend, 5)) {
          measure(nginx.address(), null, nginx::cpuNanos);
        }
        return;
      }
      try (Gateway gw =
          Gateway.start(
              GatewayConfig.parse(
                  """
                  listeners:
                    public: {address: "127.0.0.1:0", headerTimeout: 5s}
                    admin: {address: "127.0.0.1:0"}
                  backends: [{name: b, endpoints: [{address: "%s"}]}]
                  routes: [{name: r, backendRefs: [{name: b}]}]
                  %s
                  """
                      .formatted(backend, transport()),
                  "slowloris"))) {
        URI url = URI.create(gw.listeners().get("public"));
        measure(
            new InetSocketAddress(url.getHost(), url.getPort()),
            () -> gw.listener("public").headerTimeouts(),
            null);
      }
    }
  }

  /**
   * Runs the phases against {@code address} and prints the figures. {@code headerTimeouts}: the
   * target's count of header timeouts (null: the connections the target closed are counted); {@code
   * processCpu}: the target's CPU ns when it is another process (null: this JVM's gateway threads).
   */
  private static void measure(
      InetSocketAddress address, LongSupplier headerTimeouts, LongSupplier processCpu)
      throws Exception {
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      phase(address, pool); // warm-up
      Map<Long, Map.Entry<String, Long>> cpu0 = threadCpu();
      long p0 = processCpu == null ? 0 : processCpu.getAsLong();
      long[] baseline = phase(address, pool);
      Map<Long, Map.Entry<String, Long>> cpu1 = threadCpu();
      long p1 = processCpu == null ? 0 : processCpu.getAsLong();
      AtomicBoolean attacking = new AtomicBoolean(true);
      AtomicInteger closedByTarget = new AtomicInteger();
      LongSupplier timeouts = headerTimeouts != null ? headerTimeouts : closedByTarget::get;
      long timeoutsBefore = timeouts.getAsLong();
      Future<?> attack = pool.submit(() -> attack(address, attacking, closedByTarget));
      long[] underAttack = phase(address, pool);
      Map<Long, Map.Entry<String, Long>> cpu2 = threadCpu();
      long p2 = processCpu == null ? 0 : processCpu.getAsLong();
      long timeoutsDuring = timeouts.getAsLong() - timeoutsBefore;
      attacking.set(false);
      attack.get();
      System.out.printf(
          "SLOWLORIS normal clients %d x %d req/s, %d trickling connections, header deadline 5s%n"
              + "  baseline      %s%n  under attack  %s%n  closed at the deadline: %d,"
              + " header timeouts in the attack phase: %d%n",
          CLIENTS,
          RATE_PER_CLIENT,
          ATTACKERS,
          describe(baseline),
          describe(underAttack),
          closedByTarget.get(),
          timeoutsDuring);
      long extra =
          processCpu == null
              ? gatewayCpu(cpu1, cpu2) - gatewayCpu(cpu0, cpu1)
              : (p2 - p1) - (p1 - p0);
      System.out.printf(
          "  CPU ms by thread group, baseline phase: %s%s%n"
              + "  CPU ms by thread group, attack phase:   %s%s%n"
              + "  target CPU per header timeout in the attack phase, extra over"
              + " baseline: %.3f ms (%d timeouts)%n",
          cpuDiff(cpu0, cpu1),
          processCpu == null ? "" : "target process=" + (p1 - p0) / 1_000_000,
          cpuDiff(cpu1, cpu2),
          processCpu == null ? "" : "target process=" + (p2 - p1) / 1_000_000,
          extra / 1e6 / timeoutsDuring,
          timeoutsDuring);
      assertThat(closedByTarget.get()).isGreaterThanOrEqualTo(ATTACKERS);
    } finally {
      pool.shutdownNow();
    }
  }

  /** {@code server.transport} from {@code -Dforge.serverTransport}, else the default. */
  private static String transport() {
    String t = System.getProperty("forge.serverTransport", "");
    System.out.println("SLOWLORIS server transport: " + (t.isEmpty() ? "default" : t));
    return t.isEmpty() ? "" : "server: {transport: " + t + "}";
  }

  /** Latencies (µs) of every normal request of one phase; a failed request throws. */
  private static long[] phase(InetSocketAddress address, ExecutorService pool) throws Exception {
    List<Future<long[]>> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(pool.submit(() -> client(address)));
    }
    List<Long> all = new ArrayList<>();
    for (Future<long[]> f : clients) {
      for (long v : f.get()) {
        all.add(v);
      }
    }
    return all.stream().mapToLong(Long::longValue).sorted().toArray();
  }

  /** CPU nanoseconds and name of every live thread, by thread id. */
  private static Map<Long, Map.Entry<String, Long>> threadCpu() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<Long, Map.Entry<String, Long>> m = new TreeMap<>();
    for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (t == null) {
        continue;
      }
      long ns = mx.getThreadCpuTime(t.getThreadId());
      if (ns > 0) {
        m.put(t.getThreadId(), Map.entry(t.getThreadName(), ns));
      }
    }
    return m;
  }

  /** CPU ns used between two snapshots, by thread name (as of the second) with digits removed. */
  private static Map<String, Long> used(
      Map<Long, Map.Entry<String, Long>> before, Map<Long, Map.Entry<String, Long>> after) {
    Map<String, Long> m = new TreeMap<>();
    after.forEach(
        (id, e) -> {
          Map.Entry<String, Long> b = before.get(id);
          long ns = e.getValue() - (b == null ? 0 : b.getValue());
          m.merge(e.getKey().replaceAll("[0-9]+", "#"), ns, Long::sum);
        });
    return m;
  }

  private static String cpuDiff(
      Map<Long, Map.Entry<String, Long>> before, Map<Long, Map.Entry<String, Long>> after) {
    StringBuilder b = new StringBuilder();
    used(before, after).entrySet().stream()
        .filter(e -> e.getValue() > 20_000_000L)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(
            e -> b.append(e.getKey()).append('=').append(e.getValue() / 1_000_000).append(' '));
    return b.toString();
  }

  /**
   * CPU ns of the gateway's threads (Pekko dispatcher, IO and scheduler; Netty server, accept and
   * upstream loops) between two snapshots.
   */
  private static long gatewayCpu(
      Map<Long, Map.Entry<String, Long>> before, Map<Long, Map.Entry<String, Long>> after) {
    return used(before, after).entrySet().stream()
        .filter(
            e ->
                e.getKey().startsWith("forge-gateway-")
                    || e.getKey().startsWith("forge-server-")
                    || e.getKey().startsWith("forge-accept-")
                    || e.getKey().startsWith("forge-upstream-")
                    || e.getKey().startsWith("forge-loop-"))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  private static long[] client(InetSocketAddress address) throws IOException {
    Thread.currentThread().setName("normal-client");
    long interval = TimeUnit.SECONDS.toNanos(1) / RATE_PER_CLIENT;
    int n = (int) (PHASE_NANOS / interval);
    long[] latencies = new long[n];
    try (Socket s = new Socket()) {
      s.connect(address, 5_000);
      s.setSoTimeout(10_000);
      s.setTcpNoDelay(true);
      long next = System.nanoTime();
      for (int i = 0; i < n; i++) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        TlsFixture.Response r = TlsFixture.get(s, "/health/ready");
        if (r.status() != 200) {
          throw new IOException("normal request failed with " + r.status());
        }
        latencies[i] = (System.nanoTime() - next) / 1_000;
        next += interval;
      }
    }
    return latencies;
  }

  /** Keeps ATTACKERS connections trickling one header line a second, reopening closed ones. */
  private static void attack(
      InetSocketAddress address, AtomicBoolean attacking, AtomicInteger closed) {
    Thread.currentThread().setName("slowloris-attacker");
    List<SocketChannel> conns = new ArrayList<>();
    ByteBuffer sink = ByteBuffer.allocate(256);
    try {
      while (attacking.get()) {
        while (conns.size() < ATTACKERS) {
          SocketChannel c = SocketChannel.open(address);
          c.write(ascii("GET /attack HTTP/1.1\r\nHost: x\r\n"));
          c.configureBlocking(false);
          conns.add(c);
        }
        long roundEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (var it = conns.iterator(); it.hasNext(); ) {
          SocketChannel c = it.next();
          boolean gone;
          try {
            c.write(ascii("x-t: 1\r\n"));
            sink.clear();
            gone = c.read(sink) < 0;
          } catch (IOException e) {
            gone = true;
          }
          if (gone) {
            closeQuietly(c);
            it.remove();
            closed.incrementAndGet();
          }
        }
        long wait = roundEnd - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      conns.forEach(SlowlorisLoadIT::closeQuietly);
    }
  }

  private static void closeQuietly(SocketChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      // already gone
    }
  }

  private static String describe(long[] sortedMicros) {
    return String.format(
        "n=%d p50=%dus p99=%dus p99.9=%dus max=%dus",
        sortedMicros.length,
        at(sortedMicros, 0.50),
        at(sortedMicros, 0.99),
        at(sortedMicros, 0.999),
        sortedMicros[sortedMicros.length - 1]);
  }

  private static long at(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  private static ByteBuffer ascii(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }
}
