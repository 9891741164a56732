package dev.kumaforge.bench.ai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.gateway.ai.context.Trimmer;
import dev.kumaforge.gateway.ai.tokens.TokenCounter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Fitting a 200-turn conversation (401 messages plus tool-call pairs, about 24k tokens) into a
 * model's window, as the AI gateway does on every session request: {@link Trimmer#fit} with the
 * gateway's own {@link TokenCounter}. {@code cached} is the steady state of a session (every
 * earlier message's count is in the per-message cache, only the new turn is counted); {@code
 * uncached} counts every message with jtokkit (a session's first request after a restart). The
 * window is 8k tokens, so about two thirds of the turns are dropped.
 *
 * <p>How to run (from the repository root):
 *
 * <pre>{@code
 * ./mvnw -B -q -pl microbenchmarks -am package -DskipTests
 * java -jar microbenchmarks/target/benchmarks.jar TrimmingBench
 * java -jar microbenchmarks/target/benchmarks.jar TrimmingBench -p turns=50
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class TrimmingBench {
  /** Encoding of the model (o200k_base: GPT-4o). */
  static final String ENCODING = "o200k_base";

  /** User/assistant turns in the conversation. */
  @Param({"200"})
  public int turns;

  /** Budget: the window minus the requested output tokens. */
  @Param({"8000"})
  public int budget;

  List<JsonNode> conversation;
  TokenCounter cachedCounter;
  TokenCounter uncachedCounter;

  /** Builds the conversation and warms the cached counter with every message. */
  @Setup
  public void setUp() {
    if (turns < 1) {
      throw new IllegalArgumentException("turns: " + turns + " (expected: >= 1)");
    }
    conversation = Conversations.build(turns, 40, 10, 42);
    cachedCounter = new TokenCounter(10_000);
    for (JsonNode m : conversation) {
      cachedCounter.message(ENCODING, m);
    }
    uncachedCounter = new TokenCounter(0);
  }

  /** Trimming with every message's count cached. */
  @Benchmark
  public Trimmer.Result cached() {
    return Trimmer.fit(
        conversation, budget, TokenCounter.REPLY_PRIMING, m -> cachedCounter.message(ENCODING, m));
  }

  /** Trimming that tokenizes every message. */
  @Benchmark
  public Trimmer.Result uncached() {
    return Trimmer.fit(
        conversation,
        budget,
        TokenCounter.REPLY_PRIMING,
        m -> uncachedCounter.message(ENCODING, m));
  }
}
