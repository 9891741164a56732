package dev.kumaforge.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kumaforge.backends.MockBackends;
import dev.kumaforge.backends.config.BackendsConfig;
import dev.kumaforge.common.hdr.HlogTags;
import dev.kumaforge.common.hdr.Hlogs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code engine: gatling} end to end through {@code forge run} (the shaded jar, as a user runs it):
 * Gatling in its own JVM drives chat, streaming chat, a multi-turn session and tenant keys at
 * in-process mock backends; the run folder holds our microsecond {@code .hlog}, {@code result.json}
 * and Gatling's HTML report.
 */
class GatlingRunIT {
  @TempDir Path dir;

  /** Prompt tokens per request of {@code model} over every API key in the mock's ledger. */
  private static double averagePrompt(JsonNode stats, String model) {
    long requests = 0;
    long prompt = 0;
    for (JsonNode e : stats.path("entries")) {
      if (model.equals(e.path("model").asText())) {
        requests += e.path("requests").asLong();
        prompt += e.path("prompt_tokens").asLong();
      }
    }
    assertThat(requests).as("requests of " + model + " in " + stats).isPositive();
    return (double) prompt / requests;
  }

  @Test
  void gatlingScenarioRunsThroughForgeRun() throws Exception {
    Path jar = QuickstartFiles.root().resolve("harness/target/forge.jar");
    assertThat(jar).as("forge.jar is built in the package phase").exists();
    // The target is the in-process mock; forge run still needs a backends config (it starts an
    // idle second mock from it: runs whose targets are all external do not work without one yet).
    Path backendsYaml = Path.of("src/test/resources/gatling/backends.yaml").toAbsolutePath();
    try (MockBackends backends = MockBackends.start(BackendsConfig.load(backendsYaml))) {
      String url = backends.listeners().get("openai");
      String yaml =
          """
          name: gatling-it
          backends:
            config: %s
          targets:
            - name: mock
              type: external
              url: %s
          workload:
            engine: gatling
            warmup: 2s
            timeout: 5s
            tenants: {count: 20, skew: 1.2}
            phases:
              - name: steady
                rate: 20/s
                duration: 3s
            requests:
              - name: chat
                weight: 2
                method: POST
                path: /v1/chat/completions
                headers: {content-type: application/json}
                body: '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}'
              - name: chat-stream
                method: POST
                path: /v1/chat/completions
                headers: {content-type: application/json}
                body: '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Hi"}]}'
              - name: session
                method: POST
                path: /v1/chat/completions
                headers: {content-type: application/json}
                body: '{"model":"session-model","stream":true,"messages":[{"role":"user","content":"Hi"}]}'
                turns: 2
                thinkTime: 100ms
                followUps: [Tell me more about that greeting, please.]
          slos:
            latency: {p99: 5s}
            errorRate: 1%%
          """
              .formatted(backendsYaml, url);
      Path scenario = dir.resolve("gatling.yaml");
      Files.writeString(scenario, yaml);
      Path out = dir.resolve("run");
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx512m",
                  "-jar",
                  jar.toString(),
                  "run",
                  scenario.toString(),
                  "--out",
                  out.toString())
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("forge.out").toFile())
              .start();
      boolean finished = p.waitFor(3, TimeUnit.MINUTES);
      if (!finished) {
        p.destroyForcibly();
      }
      String output = Files.readString(dir.resolve("forge.out"), StandardCharsets.UTF_8);
      assertThat(finished).as("forge run finished; output:\n" + output).isTrue();
      assertThat(p.exitValue()).as("exit code; output:\n" + output).isZero();

      Path trial = out.resolve("targets/mock/trial-1");
      JsonNode result = new ObjectMapper().readTree(trial.resolve("result.json").toFile());
      long attempted = result.get("attempted").asLong();
      // 3 s at 20 users/s: 2/4 chat, 1/4 stream, 1/4 sessions of 2 turns (plus turns of warm-up
      // sessions landing in the measured window)
      assertThat(attempted).isBetween(65L, 85L);
      assertThat(result.get("completed").asLong()).isEqualTo(attempted);
      assertThat(result.get("errors").asLong()).isZero();
      assertThat(result.get("valid").asBoolean()).isTrue();

      Map<String, Histogram> totals = Hlogs.totals(trial.resolve(HlogTags.LATENCY_LOG));
      Histogram latency = totals.get(HlogTags.LATENCY);
      assertThat(latency.getTotalCount()).isEqualTo(attempted);
      // microseconds, not Gatling's whole milliseconds: a 2 ms+ answer is recorded as >= 2000
      assertThat(latency.getMinValue()).isGreaterThanOrEqualTo(2000);
      assertThat(totals.get(HlogTags.ERROR).getTotalCount()).isZero();
      // the streamed requests (the stream quarter and both turns of the session quarter) are
      // timed event by event through Gatling's SSE
      long streams = totals.get(HlogTags.TTFT).getTotalCount();
      assertThat(streams).isBetween(25L, 70L);
      assertThat(totals.get(HlogTags.TTFT).getMinValue()).isGreaterThanOrEqualTo(2000);
      // 5 tokens: 4 gaps per stream (the first chunk carries only the role)
      assertThat(totals.get(HlogTags.ITL).getTotalCount()).isGreaterThanOrEqualTo(3 * streams);
      assertThat(totals.get(HlogTags.TPOT).getTotalCount()).isEqualTo(streams);

      // Gatling's own HTML report is kept, and its log shows the SLO assertions held.
      try (Stream<Path> files = Files.walk(trial.resolve("gatling"))) {
        List<String> names = files.map(f -> f.getFileName().toString()).toList();
        assertThat(names).contains("index.html", "scenario.json", "gatling.log");
      }
      String gatlingLog = Files.readString(trial.resolve("gatling/gatling.log"));
      assertThat(gatlingLog).contains("measured: 99th percentile").doesNotContain(": false");
      assertThat(out.resolve("summary.json")).exists();

      // Each session's second turn carried the first answer and the follow-up: its prompts are
      // longer on average than the single "Hi" of the plain chats (same message otherwise).
      JsonNode stats =
          new ObjectMapper()
              .readTree(
                  java.net.http.HttpClient.newHttpClient()
                      .send(
                          java.net.http.HttpRequest.newBuilder(
                                  java.net.URI.create(url + "/admin/stats"))
                              .build(),
                          java.net.http.HttpResponse.BodyHandlers.ofString())
                      .body());
      double chatPrompt = averagePrompt(stats, "gpt-4o-mini");
      double sessionPrompt = averagePrompt(stats, "session-model");
      assertThat(sessionPrompt).isGreaterThan(1.5 * chatPrompt);
    }
  }
}
