package dev.kumaforge.load.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kumaforge.backends.MockBackends;
import dev.kumaforge.backends.config.BackendsConfig;
import dev.kumaforge.common.hdr.HlogTags;
import dev.kumaforge.common.hdr.Hlogs;
import dev.kumaforge.common.units.Rate;
import dev.kumaforge.load.engine.internal.StreamEvents;
import dev.kumaforge.load.scenario.Arrivals;
import dev.kumaforge.load.scenario.Phase;
import dev.kumaforge.load.scenario.RequestSpec;
import dev.kumaforge.load.scenario.Workload;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Must-show 1, streaming part: the engine's TTFT and ITL agree with the mock provider's own emit
 * timestamps ({@code timingHeaders: true}: {@code x-forge-received-us} and an {@code : emit-us}
 * comment before every frame). The mock's figures are read from streams fetched with a plain HTTP
 * client: server TTFT = first content frame's emit time - receipt time, server ITL = gap between
 * consecutive content frames' emit times.
 */
class MockEmitTimingIT {
  private static final String BODY =
      "{\"model\":\"gpt-4o-mini\",\"stream\":true,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  @TempDir Path dir;

  @Test
  void ttftAndItlAgreeWithTheMocksEmitTimestamps() throws Exception {
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    int cores = Runtime.getRuntime().availableProcessors();
    try (MockBackends backends =
        MockBackends.start(
            BackendsConfig.load(Path.of("src/test/resources/timing-backends.yaml")))) {
      URI base = URI.create(backends.listeners().get("openai"));
      Workload w =
          Workload.openLoop(
              Duration.ofSeconds(1),
              Arrivals.CONSTANT,
              Duration.ofSeconds(5),
              64,
              Duration.ofMillis(200),
              List.of(Phase.constant("s", Rate.perSecond(20), Duration.ofSeconds(2))),
              RequestSpec.of(
                  "POST",
                  "/v1/chat/completions",
                  Map.of("content-type", "application/json"),
                  BODY));
      LoadResult r = new OpenLoopEngine().run(w, 1, base, dir, "mock", 1, ProgressListener.NONE);
      assertThat(r.ok()).isEqualTo(40);
      Map<String, Histogram> t = Hlogs.totals(dir.resolve(HlogTags.LATENCY_LOG));
      Histogram ttft = t.get(HlogTags.TTFT);
      Histogram itl = t.get(HlogTags.ITL);
      assertThat(ttft.getTotalCount()).isEqualTo(40);
      assertThat(itl.getTotalCount()).isEqualTo(40 * 7);

      Histogram serverTtft = new Histogram(3);
      Histogram serverItl = new Histogram(3);
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> resp =
            client.send(
                HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(BODY))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(200);
        long received =
            Long.parseLong(resp.headers().firstValue("x-forge-received-us").orElseThrow());
        long emit = -1;
        long last = -1;
        for (String line : resp.body().split("\n")) {
          if (line.startsWith(": emit-us ")) {
            emit = Long.parseLong(line.substring(": emit-us ".length()).trim());
          } else if (line.startsWith("data: ")
              && StreamEvents.classify(line.substring(6).trim()).content()) {
            if (last < 0) {
              serverTtft.recordValue(emit - received);
            } else {
              serverItl.recordValue(emit - last);
            }
            last = emit;
          }
        }
      }
      assertThat(serverTtft.getTotalCount()).isEqualTo(20);
      assertThat(serverItl.getTotalCount()).isEqualTo(20 * 7);

      long ttftDiff = ttft.getValueAtPercentile(50) - serverTtft.getValueAtPercentile(50);
      long itlDiff = itl.getValueAtPercentile(50) - serverItl.getValueAtPercentile(50);
      String figures =
          String.format(
              Locale.ROOT,
              "sse timing (load average %.1f on %d cores): mock TTFT p50=%d p99=%d, engine TTFT"
                  + " p50=%d p99=%d (diff p50 %d us); mock ITL p50=%d p99=%d, engine ITL p50=%d"
                  + " p99=%d (diff p50 %d us)",
              load,
              cores,
              serverTtft.getValueAtPercentile(50),
              serverTtft.getValueAtPercentile(99),
              ttft.getValueAtPercentile(50),
              ttft.getValueAtPercentile(99),
              ttftDiff,
              serverItl.getValueAtPercentile(50),
              serverItl.getValueAtPercentile(99),
              itl.getValueAtPercentile(50),
              itl.getValueAtPercentile(99),
              itlDiff);
      System.out.println(figures);
      // TTFT: the engine times from before the send, the mock from after its receipt, and the two
      // are percentiles of different streams' samples, so only a gross disagreement is an error.
      assertThat(Math.abs(ttftDiff)).as(figures).isLessThanOrEqualTo(2000);
      // ITL: gaps between the same frames measured at both ends agree closely.
      assertThat(Math.abs(itlDiff)).as(figures).isLessThanOrEqualTo(1000);
      assumeTrue(
          load >= 0 && load < cores,
          "machine overloaded (load average " + load + " on " + cores + " cores): " + figures);
      assertThat(Math.abs(itlDiff)).as(figures).isLessThanOrEqualTo(100);
    }
  }
}
