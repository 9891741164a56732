package dev.kumaforge.bench.routing;

import dev.kumaforge.gateway.routing.Router;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Route matching with {@link Router#route} over the {@value RouteTable#ROUTES}-route {@link
 * RouteTable}: a request that hits the first entry, one that hits an Exact route in the middle of
 * the Exact block, one told apart by a header among 100 routes sharing a prefix, one that hits the
 * very last RegularExpression route, and one that matches nothing (a full scan).
 *
 * <p>How to run (from /work/main):
 *
 * <pre>{@code
 * ./mvnw -B -q -pl microbenchmarks package -DskipTests
 * java -jar microbenchmarks/target/benchmarks.jar RouterBench
 * java -jar microbenchmarks/target/benchmarks.jar RouterBench -f 1 -wi 2 -i 3 -rf json -rff router.json
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class RouterBench {
  Router<String> router;
  HttpRequest first;
  HttpRequest exactMiddle;
  HttpRequest headerLate;
  HttpRequest regexLast;
  HttpRequest noMatch;

  /** Compiles the table and builds the requests once per trial. */
  @Setup
  public void setUp() {
    router = RouteTable.router();
    first = HttpRequest.create("/api/svc0000/items").withMethod(HttpMethods.GET);
    exactMiddle = HttpRequest.create("/api/svc0201/items").withMethod(HttpMethods.GET);
    headerLate =
        HttpRequest.create("/v1/chat/completions")
            .withMethod(HttpMethods.POST)
            .addHeader(RawHeader.create("Content-Type", "application/json"))
            .addHeader(RawHeader.create("Authorization", "Bearer sk-test"))
            .addHeader(RawHeader.create("X-Model", "model-099"));
    regexLast =
        HttpRequest.create("/regex" + RouteTable.n4(RouteTable.REGEX - 1) + "/12345/details");
    noMatch = HttpRequest.create("/unknown/path/that/matches/nothing");
  }

  /** Hits entry 0 (an Exact route). */
  @Benchmark
  public String exactFirst() {
    return router.route(first);
  }

  /** Hits an Exact route about halfway through the Exact block. */
  @Benchmark
  public String exactMiddle() {
    return router.route(exactMiddle);
  }

  /** Hits the last of 100 routes on one prefix that differ only in the x-model header. */
  @Benchmark
  public String headerLate() {
    return router.route(headerLate);
  }

  /** Hits the last entry of the table (a RegularExpression route). */
  @Benchmark
  public String regexLast() {
    return router.route(regexLast);
  }

  /** Matches nothing: every entry is tried, every regex run. */
  @Benchmark
  public String noMatch() {
    return router.route(noMatch);
  }
}
