package dev.kumaforge.bench.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kumaforge.gateway.ai.masking.Masker;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * PII masking of a chat request's messages with every kind enabled (API keys, e-mails, IBANs with
 * mod-97, Luhn-checked cards, phone numbers), as the AI gateway does before the backend sees a
 * prompt: {@code clean} is a 20-message request without PII (the common case: every pattern scans
 * and finds nothing), {@code dirty} the same request with one of each kind in every user message.
 * The messages are copied per invocation because masking rewrites them in place.
 *
 * <p>How to run (from the repository root):
 *
 * <pre>{@code
 * ./mvnw -B -q -pl microbenchmarks -am package -DskipTests
 * java -jar microbenchmarks/target/benchmarks.jar MaskingBench
 * }</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class MaskingBench {
  /** One of each maskable kind, in valid form (the card passes Luhn, the IBAN mod-97). */
  static final String PII =
      " Mail ops@example.com or call +1 (415) 555-0134; card 4111 1111 1111 1111,"
          + " IBAN DE89 3704 0044 0532 0130 00, key sk-ant-REDACTEDREDACTED1234.";

  /** Whether the user messages carry PII. */
  @Param({"clean", "dirty"})
  public String prompt;

  Masker masker;
  ArrayNode template;
  ArrayNode messages;

  /** Builds the request's messages. */
  @Setup
  public void setUp() {
    if (!"clean".equals(prompt) && !"dirty".equals(prompt)) {
      throw new IllegalArgumentException("prompt: '" + prompt + "' (expected: clean or dirty)");
    }
    masker = new Masker(EnumSet.allOf(Masker.Kind.class));
    template = JsonNodeFactory.instance.arrayNode();
    List<JsonNode> conversation = Conversations.build(10, 60, 0, 7);
    for (JsonNode m : conversation) {
      JsonNode copy = m.deepCopy();
      if ("dirty".equals(prompt) && "user".equals(copy.path("role").asText())) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) copy)
            .put("content", copy.path("content").asText() + PII);
      }
      template.add(copy);
    }
  }

  /** A fresh copy of the messages for every invocation. */
  @Setup(Level.Invocation)
  public void copy() {
    messages = template.deepCopy();
  }

  /** Masks every message; returns the matches per kind. */
  @Benchmark
  public Object mask() {
    return masker.maskMessages(messages);
  }
}
