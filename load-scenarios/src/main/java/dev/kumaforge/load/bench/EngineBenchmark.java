package dev.kumaforge.load.bench;

import dev.kumaforge.common.units.Rate;
import dev.kumaforge.load.engine.LoadResult;
import dev.kumaforge.load.engine.OpenLoopEngine;
import dev.kumaforge.load.engine.ProgressListener;
import dev.kumaforge.load.scenario.Arrivals;
import dev.kumaforge.load.scenario.Phase;
import dev.kumaforge.load.scenario.RequestSpec;
import dev.kumaforge.load.scenario.Workload;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The open-loop engine's own capacity: drives {@code GET /} (or the given path; a {@code
 * /v1/chat/completions} path gets a small chat {@code POST}, for the mock backends) at each rate
 * for a few seconds against a fast server (nginx returning a static 200, or the zero-latency mock)
 * and prints the achieved rate, the generator's send lag, validity and the CPU the engine used
 * (this JVM's process CPU time over the run, in cores and per request, JIT and GC included). The
 * engine is one event loop thread, so it never uses more than one core; its CPU per request against
 * a peer's (forge run reports that as "CPU us/req") says how their maximum rates compare.
 *
 * <pre>
 * java -cp harness/target/forge.jar dev.kumaforge.load.bench.EngineBenchmark \
 *     http://127.0.0.1:8080/ 5000,10000,20000 [seconds=5] [path=/]
 * </pre>
 */
public final class EngineBenchmark {
  private static final String CHAT_BODY =
      "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
          + "\"max_tokens\":16}";

  private EngineBenchmark() {}

  /** Runs the benchmark; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: EngineBenchmark URL RATE[,RATE...] [SECONDS] [PATH]");
      System.exit(2);
    }
    URI url = URI.create(args[0]);
    List<Double> rates = new ArrayList<>();
    for (String r : args[1].split(",")) {
      rates.add(Double.parseDouble(r.trim()));
    }
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    String path = args.length > 3 ? args[3] : "/";
    boolean chat = path.startsWith("/v1/chat/completions");
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Path dir = Files.createTempDirectory("forge-engine-bench");
    System.out.printf(
        Locale.ROOT,
        "%10s %10s %10s %9s %7s %11s %7s %s%n",
        "rate",
        "achieved",
        "errors",
        "lag p99",
        "cores",
        "cpu us/req",
        "valid",
        "conns");
    for (double rate : rates) {
      Workload w =
          Workload.openLoop(
              Duration.ofSeconds(2),
              Arrivals.CONSTANT,
              Duration.ofSeconds(2),
              4096,
              Duration.ofMillis(10),
              List.of(Phase.constant("bench", Rate.perSecond(rate), Duration.ofSeconds(seconds))),
              chat
                  ? RequestSpec.of(
                      "POST",
                      path,
                      Map.of(
                          "content-type", "application/json", "authorization", "Bearer sk-bench"),
                      CHAT_BODY)
                  : RequestSpec.of("GET", path, Map.of(), null));
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      LoadResult r =
          new OpenLoopEngine()
              .run(
                  w,
                  1,
                  url,
                  dir.resolve(String.format(Locale.ROOT, "rate-%.0f", rate)),
                  "bench",
                  1,
                  ProgressListener.NONE);
      long cpuNanos = os.getProcessCpuTime() - cpu0;
      double cores = cpuNanos / (double) (System.nanoTime() - t0);
      // warm-up (2 s) and measured phase run at the same rate: CPU per request over both
      double cpuPerRequest = cpuNanos / 1000.0 / (rate * (seconds + 2));
      System.out.printf(
          Locale.ROOT,
          "%10.0f %10.1f %10d %7dus %7.2f %11.1f %7s %d%s%n",
          rate,
          r.achievedRps(),
          r.errors(),
          r.lag().p99(),
          cores,
          cpuPerRequest,
          r.valid(),
          r.maxConnectionsUsed(),
          r.valid() ? "" : "  (" + r.invalidReason() + ")");
    }
  }
}
