package dev.kumaforge.load.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.common.hdr.HlogTags;
import dev.kumaforge.common.hdr.Hlogs;
import dev.kumaforge.common.units.Rate;
import dev.kumaforge.load.scenario.Arrivals;
import dev.kumaforge.load.scenario.Phase;
import dev.kumaforge.load.scenario.PhaseType;
import dev.kumaforge.load.scenario.RequestSpec;
import dev.kumaforge.load.scenario.Workload;
import dev.kumaforge.load.testing.FixedLatencyServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClosedLoopAndMixIT {
  @TempDir Path dir;

  @Test
  void closedLoopUsersWaitForTheirResponses() throws Exception {
    try (FixedLatencyServer server = FixedLatencyServer.start(Duration.ofMillis(10))) {
      Workload w =
          new Workload(
              null,
              Duration.ofMillis(200),
              null,
              null,
              Duration.ofSeconds(2),
              16,
              Duration.ofSeconds(1),
              4,
              null,
              List.of(
                  new Phase(
                      "users", PhaseType.CONSTANT, null, null, null, null, Duration.ofSeconds(1))),
              RequestSpec.defaults(),
              null);
      LoadResult r =
          new OpenLoopEngine().run(w, 1, server.uri(), dir, "t", 1, ProgressListener.NONE);
      // 4 users, 10 ms each: at most 4 * 100 measured sends, never more than 4 connections
      assertThat(r.maxConnectionsUsed()).isBetween(1, 4);
      assertThat(r.attempted()).isBetween(50L, 404L);
      assertThat(r.completed()).isEqualTo(r.attempted());
      assertThat(r.ok()).isEqualTo(r.attempted());
      assertThat(r.intendedRateRps()).isEqualTo(r.attempted() / 1.0);
      assertThat(r.valid()).isTrue();
      assertThat(
              Hlogs.totals(dir.resolve(HlogTags.LATENCY_LOG)).get(HlogTags.LATENCY).getMinValue())
          .isGreaterThanOrEqualTo(9_900);
    }
  }

  @Test
  void weightedMixPicksRequestsBySeededWeight() throws Exception {
    try (FixedLatencyServer server = FixedLatencyServer.start(Duration.ofMillis(1))) {
      Workload w =
          new Workload(
              null,
              Duration.ZERO,
              Arrivals.CONSTANT,
              null,
              Duration.ofSeconds(2),
              64,
              Duration.ofSeconds(1),
              null,
              null,
              List.of(Phase.constant("p", Rate.perSecond(200), Duration.ofSeconds(1))),
              null,
              List.of(
                  RequestSpec.weighted("chat", 3, "POST", "/v1/chat/completions", "{}"),
                  RequestSpec.weighted("models", 1, "GET", "/v1/models", null)));
      LoadResult r =
          new OpenLoopEngine().run(w, 7, server.uri(), dir, "t", 1, ProgressListener.NONE);
      assertThat(r.ok()).isEqualTo(200);
      long chat = server.received("/v1/chat/completions");
      long models = server.received("/v1/models");
      assertThat(chat + models).isEqualTo(200);
      assertThat(chat).isBetween(125L, 175L);
    }
  }
}
