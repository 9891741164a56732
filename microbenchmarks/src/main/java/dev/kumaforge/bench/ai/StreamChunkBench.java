package dev.kumaforge.bench.ai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.gateway.ai.translate.Frame;
import dev.kumaforge.gateway.ai.translate.OpenAiStream;
import dev.kumaforge.gateway.ai.translate.SseFramer;
import dev.kumaforge.gateway.ai.translate.Wire;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.util.ByteString;
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
 * The AI gateway's per-chunk work on an OpenAI stream passed through to an OpenAI client, for one
 * whole stream of {@value #TOKENS} content chunks as the mock provider sends it (role chunk,
 * content chunks, finish chunk, the usage chunk the gateway asked for, {@code [DONE]}), one network
 * read per event: {@code passthrough} is what the gateway runs ({@link SseFramer} then {@link
 * OpenAiStream}: a streaming read of the few fields it needs), {@code treePerChunk} the same frames
 * made the way it did before (a Jackson tree parsed per chunk, the lines of each event split with a
 * regular expression), for comparison. Both return the client's frames.
 *
 * <p>How to run (from the repository root):
 *
 * <pre>{@code
 * ./mvnw -B -q -pl microbenchmarks -am package -DskipTests
 * java -jar microbenchmarks/target/benchmarks.jar StreamChunkBench
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
public class StreamChunkBench {
  /** Content chunks per stream. */
  static final int TOKENS = 20;

  List<ByteString> reads;

  /** Builds the stream's network reads. */
  @Setup
  public void setUp() {
    reads = new ArrayList<>();
    String head =
        "{\"id\":\"chatcmpl-forge42\",\"object\":\"chat.completion.chunk\",\"created\":1763788800,"
            + "\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_forge\",\"choices\":[{\"index\":0,"
            + "\"delta\":";
    String tail = ",\"logprobs\":null,\"finish_reason\":%s}],\"usage\":null}";
    add(head + "{\"role\":\"assistant\",\"content\":\"\"}" + String.format(tail, "null"));
    for (int i = 0; i < TOKENS; i++) {
      add(head + "{\"content\":\" token" + i + "\"}" + String.format(tail, "null"));
    }
    add(head + "{}" + String.format(tail, "\"stop\""));
    add(
        "{\"id\":\"chatcmpl-forge42\",\"object\":\"chat.completion.chunk\",\"created\":1763788800,"
            + "\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_forge\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":21,\"completion_tokens\":20,\"total_tokens\":41}}");
    reads.add(ByteString.fromString("data: [DONE]\n\n", StandardCharsets.UTF_8));
  }

  private void add(String json) {
    reads.add(ByteString.fromString("data: " + json + "\n\n", StandardCharsets.UTF_8));
  }

  /** The gateway's path: frames for the client (the usage chunk is not one of them). */
  @Benchmark
  public List<Frame> passthrough() {
    SseFramer framer = new SseFramer();
    OpenAiStream t = new OpenAiStream(false);
    List<Frame> out = new ArrayList<>(TOKENS + 4);
    for (ByteString bs : reads) {
      for (SseFramer.Event e : framer.feed(bs)) {
        out.addAll(t.onEvent(e));
      }
    }
    return out;
  }

  /** The former per-chunk work: regex line split, a JSON tree per chunk, the same fields read. */
  @Benchmark
  public List<Frame> treePerChunk() {
    List<Frame> out = new ArrayList<>(TOKENS + 4);
    StringBuilder text = new StringBuilder();
    for (ByteString bs : reads) {
      String block = bs.decodeString(StandardCharsets.UTF_8);
      String data = null;
      for (String line : block.substring(0, block.length() - 2).split("\r?\n")) {
        if (line.startsWith("data:")) {
          data = line.substring(6);
        }
      }
      if ("[DONE]".equals(data)) {
        out.add(Frame.data(data, false));
        continue;
      }
      JsonNode n = Wire.parse(data);
      JsonNode choices = n.path("choices");
      boolean content = false;
      if (choices.isArray() && choices.size() > 0) {
        JsonNode delta = choices.get(0).path("delta");
        if (delta.path("content").isTextual() && !delta.get("content").asText().isEmpty()) {
          text.append(delta.get("content").asText());
          content = true;
        }
      }
      if (n.path("usage").isObject() && choices.size() == 0) {
        continue;
      }
      out.add(Frame.data(data, content));
    }
    return out;
  }
}
