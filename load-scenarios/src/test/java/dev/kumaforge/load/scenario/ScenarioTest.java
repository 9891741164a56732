package dev.kumaforge.load.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.common.config.ConfigError;
import dev.kumaforge.common.config.ConfigException;
import dev.kumaforge.common.config.YamlConfig;
import dev.kumaforge.common.tls.DevCertificates;
import dev.kumaforge.common.tls.KeyType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioTest {
  private static final String VALID =
      """
      name: t1
      backends:
        config: backends.yaml
      targets:
        - name: direct
          type: direct
        - name: gw
          type: reference
          config: gw/gateway.yaml
      workload:
        phases:
          - name: a
            rate: 100/s
            duration: 2s
          - name: b
            rate: 50/s
            duration: 1s
      """;

  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  private Path validFiles(String scenario) throws IOException {
    write("backends.yaml", "providers: []\n");
    write("gw/gateway.yaml", "listeners: {}\n");
    return write("s.yaml", scenario);
  }

  private List<ConfigError> errorsOf(String scenario) throws IOException {
    Path file = validFiles(scenario);
    try {
      Scenario.load(file);
    } catch (ConfigException e) {
      return e.errors();
    }
    throw new AssertionError("expected a ConfigException");
  }

  @Test
  void loadsAndResolvesWithDefaults() throws IOException {
    Scenario s = Scenario.load(validFiles(VALID));
    assertThat(s.name()).isEqualTo("t1");
    assertThat(s.seed()).isEqualTo(42L);
    assertThat(s.trials()).isEqualTo(1);
    assertThat(s.baseline()).isEqualTo("direct");
    assertThat(s.backends().configPath()).isEqualTo(dir.resolve("backends.yaml").toAbsolutePath());
    assertThat(s.target("gw").configPath())
        .isEqualTo(dir.resolve("gw/gateway.yaml").toAbsolutePath());
    Workload w = s.workload();
    assertThat(w.engine()).isEqualTo(Engine.OPEN_LOOP);
    assertThat(w.arrivals()).isEqualTo(Arrivals.CONSTANT);
    assertThat(w.warmup()).isEqualTo(Duration.ZERO);
    assertThat(w.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(w.maxConnections()).isEqualTo(256);
    assertThat(w.measuredDuration()).isEqualTo(Duration.ofSeconds(3));
    assertThat(w.request().method()).isEqualTo("GET");
    assertThat(w.request().path()).isEqualTo("/");
    assertThat(s.slos().latency()).isEmpty();
  }

  @Test
  void missingFileIsNamed() {
    Path missing = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> Scenario.load(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("nope.yaml")
        .hasMessageContaining("file not found");
  }

  @Test
  void malformedYamlNamesLineAndColumn() throws IOException {
    Path file = write("bad.yaml", "name: t1\ntargets:\n  - name: [unclosed\n");
    assertThatThrownBy(() -> Scenario.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageMatching("(?s).*line \\d+, column \\d+.*");
  }

  @Test
  void unknownKeyNamesPath() throws IOException {
    List<ConfigError> errors = errorsOf(VALID.replace("  phases:", "  phase: x\n  phases:"));
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).path()).isEqualTo("workload.phase");
    assertThat(errors.get(0).message()).contains("unknown key").contains("phases");
  }

  @Test
  void wrongTypeNamesPath() throws IOException {
    List<ConfigError> errors =
        errorsOf(VALID.replace("workload:\n", "workload:\n  maxConnections: many\n"));
    assertThat(errors).extracting(ConfigError::path).containsExactly("workload.maxConnections");
    assertThat(errors.get(0).message()).contains("integer");
  }

  @Test
  void badRateNamesPhaseIndex() throws IOException {
    List<ConfigError> zero = errorsOf(VALID.replace("rate: 50/s", "rate: 0/s"));
    assertThat(zero)
        .extracting(ConfigError::toString)
        .containsExactly("workload.phases[1].rate: 0/s (expected: > 0)");
    List<ConfigError> negative = errorsOf(VALID.replace("rate: 50/s", "rate: -5"));
    assertThat(negative).extracting(ConfigError::path).containsExactly("workload.phases[1].rate");
    assertThat(negative.get(0).message()).contains("-5").contains("expected");
    List<ConfigError> dur = errorsOf(VALID.replace("duration: 1s", "duration: 10"));
    assertThat(dur).extracting(ConfigError::path).containsExactly("workload.phases[1].duration");
  }

  @Test
  void collectsSemanticErrorsWithPaths() throws IOException {
    String text =
        """
        name: Bad_Name
        targets:
          - name: a
            type: direct
          - name: a
            type: reference
          - name: ext
            type: external
        baseline: nobody
        workload:
          arrivals: bursty
          phases:
            - name: p
              rate: 10/s
              duration: 1s
        """;
    Path file = write("s.yaml", text);
    assertThatThrownBy(() -> Scenario.load(file))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(((ConfigException) e).errors())
                    .extracting(ConfigError::path)
                    .containsExactly("workload.arrivals"));
    Path semantic = write("s2.yaml", text.replace("  arrivals: bursty\n", "  timeout: 0s\n"));
    assertThatThrownBy(() -> Scenario.load(semantic))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(((ConfigException) e).errors())
                    .extracting(ConfigError::path)
                    .containsExactlyInAnyOrder(
                        "name",
                        "targets[1].config",
                        "targets[1].name",
                        "targets[2].url",
                        "baseline",
                        "backends",
                        "workload.timeout"));
  }

  @Test
  void duplicatePhaseNamesAndBadSlos() throws IOException {
    List<ConfigError> errors =
        errorsOf(
            VALID.replace("name: b", "name: a")
                + "slos:\n  latency: {p99: 0ms, median: 5ms}\n  errorRate: 150%\n");
    assertThat(errors).extracting(ConfigError::path).containsExactlyInAnyOrder("slos.errorRate");
    List<ConfigError> semantic =
        errorsOf(
            VALID.replace("name: b", "name: a") + "slos:\n  latency: {p99: 0ms, median: 5ms}\n");
    assertThat(semantic)
        .extracting(ConfigError::path)
        .containsExactlyInAnyOrder(
            "workload.phases[1].name", "slos.latency.p99", "slos.latency.median");
  }

  @Test
  void cpuListsAreCheckedAndRoundTrip() throws IOException {
    List<ConfigError> errors =
        errorsOf(VALID + "cpus:\n  load: \"0-\"\n  targets: \"3-1\"\n  backends: \"1,2\"\n");
    assertThat(errors)
        .extracting(ConfigError::path)
        .containsExactlyInAnyOrder("cpus.load", "cpus.targets");
    assertThat(errors.get(0).message()).contains("'0-'", "taskset syntax");
    Scenario s = Scenario.load(validFiles(VALID + "cpus: {load: \"0\", targets: 1-3}\n"));
    assertThat(s.cpus()).isEqualTo(new Cpus("0", "1-3", null));
    assertThat(Cpus.parse("0,2-4").stream().toArray()).containsExactly(0, 2, 3, 4);
    JsonNode tree = s.toJsonTree();
    assertThat(tree.path("cpus").path("targets").asText()).isEqualTo("1-3");
  }

  @Test
  void rampAndStepPhasesCheckTheirOwnKeys() throws IOException {
    String phases =
        VALID.replace(
            "    - name: b\n",
            "    - name: c\n      type: step\n      from: 0/s\n      to: 0/s\n"
                + "      duration: 1s\n"
                + "    - name: b\n      type: ramp\n      steps: 2\n");
    assertThat(errorsOf(phases))
        .extracting(ConfigError::path)
        .containsExactlyInAnyOrder(
            "workload.phases[1].to",
            "workload.phases[1].steps",
            "workload.phases[2].rate",
            "workload.phases[2].steps",
            "workload.phases[2].from",
            "workload.phases[2].to");
    Scenario ok =
        Scenario.load(
            validFiles(
                VALID.replace(
                    "    - name: b\n      rate: 50/s\n",
                    "    - name: b\n      type: step\n      from: 10/s\n"
                        + "      to: 30/s\n      steps: 3\n")));
    Phase b = ok.workload().phases().get(1);
    assertThat(b.type()).isEqualTo(PhaseType.STEP);
    assertThat(b.expectedRequests()).isEqualTo(20.0);
  }

  @Test
  void closedLoopAndMixRules() throws IOException {
    String closed =
        VALID.replace("workload:\n", "workload:\n  concurrency: 300\n  thinkTime: 10ms\n");
    assertThat(errorsOf(closed))
        .extracting(ConfigError::path)
        .containsExactlyInAnyOrder(
            "workload.concurrency", "workload.phases[0].rate", "workload.phases[1].rate");
    Scenario ok =
        Scenario.load(
            validFiles(
                VALID
                    .replace("workload:\n", "workload:\n  concurrency: 8\n")
                    .replace("      rate: 100/s\n", "")
                    .replace("      rate: 50/s\n", "")));
    assertThat(ok.workload().closedLoop()).isTrue();

    String mix =
        VALID
            + "  request: {path: /x}\n"
            + "  requests:\n"
            + "    - {name: a, weight: 3, path: /a}\n"
            + "    - {name: a, weight: 0, path: /b}\n"
            + "    - {path: /c}\n"
            + "  thinkTime: 1s\n";
    assertThat(errorsOf(mix))
        .extracting(ConfigError::toString)
        .containsExactlyInAnyOrder(
            "workload.thinkTime: only allowed with concurrency (closed-loop)",
            "workload.requests: not allowed together with request (use one of them)",
            "workload.requests[1].weight: 0.0 (expected: > 0)",
            "workload.requests[1].name: duplicate request name 'a'",
            "workload.requests[2].name: missing required key");
  }

  @Test
  void sessionsAndTenantsOnlyWithGatling() throws IOException {
    String mix =
        VALID
            + "  tenants: {count: 0, skew: 11}\n"
            + "  requests:\n"
            + "    - {name: chat, path: /a}\n"
            + "    - {name: s, path: /b, turns: 3, thinkTime: 1s, sessionHeader: x-session-id,"
            + " followUps: [More please], body: '{\"messages\":[]}'}\n";
    assertThat(errorsOf(mix))
        .extracting(ConfigError::toString)
        .containsExactlyInAnyOrder(
            "workload.tenants.count: 0 (expected: 1 to 1000000)",
            "workload.tenants.skew: 11.0 (expected: 0 to 10)",
            "workload.tenants: only allowed with engine: gatling",
            "workload.requests[1].turns: multi-turn sessions (turns, thinkTime) only with engine:"
                + " gatling",
            "workload.requests[1].sessionHeader: multi-turn sessions only with engine: gatling",
            "workload.requests[1].followUps: multi-turn sessions only with engine: gatling");
    assertThat(
            errorsOf(
                mix.replace("workload:\n", "workload:\n  engine: gatling\n")
                    .replace("count: 0, skew: 11", "count: 50")
                    .replace(", body: '{\"messages\":[]}'", "")
                    .replace("followUps: [More please]", "followUps: ['']")))
        .extracting(ConfigError::toString)
        .containsExactlyInAnyOrder(
            "workload.requests[1].followUps[0]:  (expected: a non-empty message)",
            "workload.requests[1].body: missing (expected: a chat request with a \"messages\""
                + " array (turns > 1 is a conversation))");
    String gatling =
        mix.replace("workload:\n", "workload:\n  engine: gatling\n")
            .replace("count: 0, skew: 11", "count: 50");
    Scenario ok = Scenario.load(validFiles(gatling));
    assertThat(ok.workload().tenants().headerValue(7)).isEqualTo("Bearer sk-tenant-7");
    assertThat(ok.workload().requests().get(1).turns()).isEqualTo(3);
    assertThat(ok.workload().requests().get(1).thinkTime()).isEqualTo(Duration.ofSeconds(1));
    assertThat(ok.workload().requests().get(1).followUps()).containsExactly("More please");
    assertThat(ok.workload().requests().get(1).sessionHeader()).isEqualTo("x-session-id");
    assertThat(YamlConfig.bind(ok.toJsonTree(), "resolved", Scenario.class)).isEqualTo(ok);
    assertThat(
            errorsOf(
                gatling.replace("workload:\n", "workload:\n  concurrency: 4\n  thinkTime: 1s\n")))
        .extracting(ConfigError::toString)
        .contains(
            "workload.concurrency: not allowed with engine: gatling (Gatling runs open-loop)");
  }

  @Test
  void burstinessOnlyWithGammaArrivals() throws IOException {
    assertThat(errorsOf(VALID.replace("workload:\n", "workload:\n  burstiness: 3\n")))
        .extracting(ConfigError::toString)
        .containsExactly("workload.burstiness: only allowed with arrivals: gamma");
    assertThat(
            errorsOf(
                VALID.replace("workload:\n", "workload:\n  arrivals: gamma\n  burstiness: 0\n")))
        .extracting(ConfigError::path)
        .containsExactly("workload.burstiness");
    Scenario ok =
        Scenario.load(
            validFiles(
                VALID.replace("workload:\n", "workload:\n  arrivals: gamma\n  burstiness: 2.5\n")));
    assertThat(ok.workload().burstiness()).isEqualTo(2.5);
  }

  @Test
  void referencedFilesMustExist() throws IOException {
    Path file = write("s.yaml", VALID);
    assertThatThrownBy(() -> Scenario.load(file))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(((ConfigException) e).errors())
                    .extracting(ConfigError::path)
                    .containsExactly("backends.config", "targets[1].config"));
  }

  @Test
  void fractionsAndPercentiles() {
    assertThat(Fraction.parse("0.1%").value())
        .isCloseTo(0.001, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(Fraction.of(0.02).value()).isEqualTo(0.02);
    assertThat(Slos.percentileOf("p999")).isEqualTo(99.9);
    assertThat(Slos.percentileOf("p50")).isEqualTo(50.0);
    assertThat(Slos.percentileOf("max")).isEqualTo(100.0);
  }

  /** What {@code forge certs --out dir} writes: ca, server and client PEM files. */
  static void writeCertificates(Path certs) throws IOException {
    Files.createDirectories(certs);
    DevCertificates.Issued ca =
        DevCertificates.ca("test CA", KeyType.EC_P256, Instant.now(), Duration.ofDays(1));
    DevCertificates.write(certs, "ca", ca);
    DevCertificates.write(
        certs,
        "server",
        DevCertificates.leaf(
            ca, DevCertificates.LeafSpec.server("s", null, java.util.List.of("127.0.0.1"))));
    DevCertificates.write(
        certs, "client", DevCertificates.leaf(ca, DevCertificates.LeafSpec.client("c", null)));
  }

  /** The shipped files load, with their referenced configs stubbed in a copy of the layout. */
  @Test
  void shippedScenariosLoad() throws IOException {
    Path module = Path.of("").toAbsolutePath();
    write("mock-llm-backends/examples/quickstart.yaml", "providers: []\n");
    write("reference-gateway/examples/quickstart.yaml", "listeners: {}\n");
    Path quickstart =
        write(
            "load-scenarios/quickstart.yaml", Files.readString(module.resolve("quickstart.yaml")));
    Path reference =
        write("load-scenarios/reference.yaml", Files.readString(module.resolve("reference.yaml")));
    writeCertificates(dir.resolve("load-scenarios/certs"));

    Scenario q = Scenario.load(quickstart);
    assertThat(q.name()).isEqualTo("quickstart");
    assertThat(q.targets()).extracting(Target::name).containsExactly("direct", "reference");
    assertThat(q.target("reference").configPath())
        .isEqualTo(dir.resolve("reference-gateway/examples/quickstart.yaml").toAbsolutePath());
    assertThat(q.workload().phases().get(0).rate().perSecond()).isEqualTo(300.0);
    assertThat(q.workload().warmup()).isEqualTo(Duration.ofSeconds(5));
    assertThat(q.workload().request().headers())
        .containsEntry("authorization", "Bearer sk-forge-quickstart");
    assertThat(q.slos().latency()).containsEntry("p999", Duration.ofMillis(250));
    assertThat(q.slos().errorRate().value())
        .isCloseTo(0.001, org.assertj.core.data.Offset.offset(1e-12));

    JsonNode tree = q.toJsonTree();
    assertThat(tree.at("/workload/phases/0/rate").asText()).isEqualTo("300/s");
    assertThat(tree.at("/workload/warmup").asText()).isEqualTo("5s");
    assertThat(tree.at("/slos/errorRate").asText()).isEqualTo("0.1%");
    assertThat(tree.at("/targets/0/type").asText()).isEqualTo("direct");
    assertThat(tree.at("/workload/engine").asText()).isEqualTo("open-loop");
    assertThat(YamlConfig.bind(tree, "resolved", Scenario.class)).isEqualTo(q);

    Scenario r = Scenario.load(reference);
    assertThat(YamlConfig.bind(r.toJsonTree(), "resolved", Scenario.class)).isEqualTo(r);
    assertThat(r.target("staging").url()).isEqualTo("http://127.0.0.1:8080");
    assertThat(r.workload().maxLag()).isEqualTo(Duration.ofMillis(10));

    write("mock-llm-backends/examples/providers.yaml", "providers: []\n");
    write("mock-llm-backends/examples/zero-latency.yaml", "providers: []\n");
    Scenario llm =
        Scenario.load(
            write(
                "load-scenarios/llm-chat.yaml", Files.readString(module.resolve("llm-chat.yaml"))));
    assertThat(llm.workload().engine()).isEqualTo(Engine.GATLING);
    assertThat(llm.workload().requests())
        .extracting(RequestSpec::name)
        .containsExactly("chat", "chat-stream", "session");
    assertThat(llm.workload().requests().get(2).turns()).isEqualTo(3);
    assertThat(llm.workload().tenants().count()).isEqualTo(200);
    Scenario capacity =
        Scenario.load(
            write(
                "load-scenarios/capacity.yaml", Files.readString(module.resolve("capacity.yaml"))));
    assertThat(capacity.targets())
        .extracting(Target::name)
        .containsExactly("direct", "reference", "nginx", "haproxy");
    write("load-scenarios/gateways/reference-tls.yaml", "listeners: {}\n");
    write("load-scenarios/gateways/reference-mtls.yaml", "listeners: {}\n");
    Scenario tls =
        Scenario.load(
            write(
                "load-scenarios/tls-overhead.yaml",
                Files.readString(module.resolve("tls-overhead.yaml"))));
    assertThat(tls.target("reference-mtls-new").connectionPerRequest()).isTrue();
    assertThat(tls.target("reference-mtls").configPath())
        .isEqualTo(dir.resolve("load-scenarios/gateways/reference-mtls.yaml").toAbsolutePath());
    write("mock-llm-backends/examples/constant-latency.yaml", "providers: []\n");
    write("load-scenarios/gateways/llm-overhead.yaml", "listeners: {}\n");
    write("load-scenarios/gateways/llm-overhead-proxy.yaml", "listeners: {}\n");
    Scenario llmOverhead =
        Scenario.load(
            write(
                "load-scenarios/llm-overhead.yaml",
                Files.readString(module.resolve("llm-overhead.yaml"))));
    assertThat(llmOverhead.slos().ttft()).containsEntry("p99", Duration.ofMillis(60));
    assertThat(llmOverhead.workload().requests()).hasSize(2);
    assertThat(llmOverhead.targets())
        .extracting(Target::name)
        .containsExactly("direct", "reference", "nginx");
    assertThat(tls.target("nginx-mtls-new").connectionPerRequest()).isTrue();
    assertThat(tls.target("haproxy-mtls").listenerTls().mutual()).isTrue();
    assertThat(tls.target("haproxy-mtls").tls().certificate())
        .isEqualTo(dir.resolve("load-scenarios/certs/client.pem").toString());
  }
}
