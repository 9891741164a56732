package dev.kumaforge.bench.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.gateway.ai.context.Trimmer;
import dev.kumaforge.gateway.ai.masking.Masker;
import dev.kumaforge.gateway.ai.tokens.TokenCounter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AiBenchTest {
  @Test
  void trimmingBenchFitsTheBudgetAndBothCountersAgree() {
    TrimmingBench bench = new TrimmingBench();
    bench.turns = 200;
    bench.budget = 8000;
    bench.setUp();
    assertThat(bench.conversation).hasSize(1 + 2 * 200 + 2 * 20);
    int total =
        new TokenCounter(0).messages(TrimmingBench.ENCODING, bench.conversation)
            - TokenCounter.REPLY_PRIMING;
    assertThat(total)
        .as("the conversation must not fit, or nothing is trimmed")
        .isGreaterThan(16_000);
    Trimmer.Result cached = bench.cached();
    Trimmer.Result uncached = bench.uncached();
    assertThat(cached.tokens()).isLessThanOrEqualTo(8000).isEqualTo(uncached.tokens());
    assertThat(cached.dropped()).isEqualTo(uncached.dropped()).isGreaterThan(200);
    assertThat(cached.messages().get(0).path("role").asText()).isEqualTo("system");
  }

  @Test
  void maskingBenchFindsEveryKindOnlyInTheDirtyPrompt() {
    MaskingBench dirty = new MaskingBench();
    dirty.prompt = "dirty";
    dirty.setUp();
    dirty.copy();
    @SuppressWarnings("unchecked")
    Map<Masker.Kind, Integer> found = (Map<Masker.Kind, Integer>) dirty.mask();
    assertThat(found.keySet()).containsExactlyInAnyOrder(Masker.Kind.values());
    assertThat(found.values()).allMatch(n -> n == 10);
    for (JsonNode m : dirty.messages) {
      assertThat(m.path("content").asText()).doesNotContain("ops@example.com", "4111 1111");
    }
    MaskingBench clean = new MaskingBench();
    clean.prompt = "clean";
    clean.setUp();
    clean.copy();
    @SuppressWarnings("unchecked")
    Map<Masker.Kind, Integer> none = (Map<Masker.Kind, Integer>) clean.mask();
    assertThat(none.values()).allMatch(n -> n == 0);
    assertThatThrownBy(
            () -> {
              MaskingBench b = new MaskingBench();
              b.prompt = "pii";
              b.setUp();
            })
        .hasMessageContaining("prompt: 'pii'");
  }

  @Test
  void streamChunkBenchPassesTheContentAndDropsTheUsageChunkBothWays() {
    StreamChunkBench bench = new StreamChunkBench();
    bench.setUp();
    java.util.List<dev.kumaforge.gateway.ai.translate.Frame> scanned = bench.passthrough();
    java.util.List<dev.kumaforge.gateway.ai.translate.Frame> tree = bench.treePerChunk();
    // role chunk, 20 content chunks, finish chunk, [DONE]: the usage chunk is the gateway's own
    assertThat(scanned).hasSize(StreamChunkBench.TOKENS + 3).isEqualTo(tree);
    assertThat(scanned.stream().filter(f -> f.content()).count())
        .isEqualTo(StreamChunkBench.TOKENS);
    assertThat(scanned.get(1).bytes().utf8String()).contains("\"content\":\" token0\"");
  }
}
