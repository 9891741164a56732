package dev.kumaforge.load.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.backends.MockBackends;
import dev.kumaforge.backends.config.BackendsConfig;
import dev.kumaforge.common.units.Rate;
import dev.kumaforge.load.engine.internal.ErrorKinds;
import dev.kumaforge.load.scenario.Arrivals;
import dev.kumaforge.load.scenario.Phase;
import dev.kumaforge.load.scenario.RequestSpec;
import dev.kumaforge.load.scenario.Workload;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 200 event stream is a success only when it ends properly: an in-band error event or a missing
 * {@code [DONE]} / {@code message_stop} counts as a failed request, so a provider cutting answers
 * mid-stream shows up in the error rate (against the real mock provider's faults).
 */
class StreamFailuresIT {
  @TempDir Path dir;

  private static final String CHAT =
      "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  private static LoadResult run(String fault, Path dir) {
    String yaml =
        """
        seed: 5
        providers:
          - name: openai
            style: openai
            listen: 127.0.0.1:0
            requireApiKey: false
            faults: %s
            models:
              - name: gpt-4o-mini
                encoding: o200k_base
                contextWindow: 128000
                latency: {prefillOverhead: 2ms, interToken: 1ms}
                output: {tokens: 6, text: one two three four five six}
        """
            .formatted(fault);
    try (MockBackends backends = MockBackends.start(BackendsConfig.parse(yaml, "stream-faults"))) {
      Workload w =
          Workload.openLoop(
              Duration.ZERO,
              Arrivals.CONSTANT,
              Duration.ofSeconds(5),
              32,
              Duration.ofSeconds(1),
              List.of(Phase.constant("s", Rate.perSecond(20), Duration.ofSeconds(1))),
              RequestSpec.of(
                  "POST",
                  "/v1/chat/completions",
                  Map.of("content-type", "application/json"),
                  CHAT));
      return new OpenLoopEngine()
          .run(
              w,
              1,
              URI.create(backends.listeners().get("openai")),
              dir,
              "mock",
              1,
              ProgressListener.NONE);
    }
  }

  @Test
  void properStreamsSucceedAndCutStreamsFail() {
    LoadResult healthy = run("[]", dir.resolve("healthy"));
    assertThat(healthy.errors()).isZero();
    assertThat(healthy.ok()).isEqualTo(20);

    LoadResult errored =
        run("[{type: midStreamError, rate: 1.0, afterTokens: 2}]", dir.resolve("errored"));
    assertThat(errored.ok()).isZero();
    assertThat(errored.errorsByKind()).containsEntry(ErrorKinds.STREAM_ERROR, 20L);
  }
}
