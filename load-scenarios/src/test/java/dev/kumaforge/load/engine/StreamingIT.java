package dev.kumaforge.load.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.common.hdr.HlogTags;
import dev.kumaforge.common.hdr.Hlogs;
import dev.kumaforge.common.units.Rate;
import dev.kumaforge.load.scenario.Arrivals;
import dev.kumaforge.load.scenario.Phase;
import dev.kumaforge.load.scenario.RequestSpec;
import dev.kumaforge.load.scenario.Workload;
import dev.kumaforge.load.testing.StreamingServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamingIT {
  @TempDir Path dir;

  @Test
  void recordsTtftItlAndTpotFromTheStream() throws Exception {
    // 5 content chunks 20 ms apart after a 50 ms TTFT; usage reports 9 output tokens
    try (StreamingServer server =
        StreamingServer.start(Duration.ofMillis(50), Duration.ofMillis(20), 5, 9)) {
      Workload w =
          Workload.openLoop(
              Duration.ZERO,
              Arrivals.CONSTANT,
              Duration.ofSeconds(2),
              64,
              null,
              List.of(Phase.constant("s", Rate.perSecond(20), Duration.ofSeconds(2))),
              RequestSpec.of(
                  "POST",
                  "/v1/chat/completions",
                  Map.of("content-type", "application/json"),
                  "{\"stream\":true}"));
      LoadResult r =
          new OpenLoopEngine().run(w, 1, server.uri(), dir, "sse", 1, ProgressListener.NONE);
      assertThat(r.ok()).isEqualTo(40);

      Map<String, Histogram> t = Hlogs.totals(dir.resolve(HlogTags.LATENCY_LOG));
      Histogram ttft = t.get(HlogTags.TTFT);
      Histogram itl = t.get(HlogTags.ITL);
      Histogram tpot = t.get(HlogTags.TPOT);
      Histogram latency = t.get(HlogTags.LATENCY);
      assertThat(ttft.getTotalCount()).isEqualTo(40);
      assertThat(itl.getTotalCount()).isEqualTo(40 * 4);
      assertThat(tpot.getTotalCount()).isEqualTo(40);
      // nothing can arrive before the server emitted it
      assertThat(ttft.getMinValue()).isGreaterThanOrEqualTo(49_900);
      assertThat(latency.getMinValue()).isGreaterThanOrEqualTo(129_900);
      assertThat(itl.getValueAtPercentile(50)).isBetween(15_000L, 40_000L);
      // usage says 9 tokens: TPOT = (E2E - TTFT) / 8 ~ 80 ms / 8, not 80 ms / 4 per content event
      assertThat(tpot.getValueAtPercentile(50)).isBetween(8_000L, 15_000L);
      System.out.printf(
          Locale.ROOT,
          "sse: ttft p50=%d p99=%d; itl p50=%d p99=%d; tpot p50=%d; latency p50=%d%n",
          ttft.getValueAtPercentile(50),
          ttft.getValueAtPercentile(99),
          itl.getValueAtPercentile(50),
          itl.getValueAtPercentile(99),
          tpot.getValueAtPercentile(50),
          latency.getValueAtPercentile(50));
    }
  }
}
