package dev.kumaforge.bench.tokens;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
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
 * Token counting with jtokkit, as the gateway and the mock backends count prompt tokens: {@code
 * countTokens} for the o200k_base (GPT-4o) and cl100k_base (GPT-4, GPT-3.5) encodings over {@link
 * Prompts#SHORT} and {@link Prompts#LONG}. Loading an encoding happens once, in setup.
 *
 * <p>How to run (from /work/main):
 *
 * <pre>{@code
 * ./mvnw -B -q -pl microbenchmarks package -DskipTests
 * java -jar microbenchmarks/target/benchmarks.jar TokenCountBench
 * java -jar microbenchmarks/target/benchmarks.jar TokenCountBench -p encoding=o200k_base -p prompt=long
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
public class TokenCountBench {
  /** The encoding's name. */
  @Param({"o200k_base", "cl100k_base"})
  public String encoding;

  /** Which prompt: short or long. */
  @Param({"short", "long"})
  public String prompt;

  Encoding enc;
  String text;

  /** Loads the encoding and picks the prompt. */
  @Setup
  public void setUp() {
    EncodingType type =
        EncodingType.fromName(encoding)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "encoding: '" + encoding + "' (expected: o200k_base or cl100k_base)"));
    enc = Encodings.newLazyEncodingRegistry().getEncoding(type);
    text =
        switch (prompt) {
          case "short" -> Prompts.SHORT;
          case "long" -> Prompts.LONG;
          default ->
              throw new IllegalArgumentException(
                  "prompt: '" + prompt + "' (expected: short or long)");
        };
  }

  /** Counts the prompt's tokens. */
  @Benchmark
  public int countTokens() {
    return enc.countTokens(text);
  }
}
