package dev.kumaforge.harness.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.backends.MockBackends;
import dev.kumaforge.backends.config.BackendsConfig;
import dev.kumaforge.common.config.YamlConfig;
import dev.kumaforge.gateway.Gateway;
import dev.kumaforge.gateway.config.GatewayConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real nginx and HAProxy started from configs generated from a gateway config: they serve the same
 * routes with the same answers as the reference gateway, pass SSE chunks one by one, and leave no
 * process behind. Skipped per peer when its program is missing, unless FORGE_REQUIRE_PEERS=1.
 */
class PeerTargetIT {
  private static final String CHAT =
      "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}],"
          + "\"max_tokens\":16%s}";

  @TempDir static Path dir;
  static MockBackends backends;
  static Gateway gateway;
  static GatewayConfig config;
  static HttpClient http;

  @BeforeAll
  static void start() {
    backends =
        MockBackends.start(
            BackendsConfig.load(Path.of("src/test/resources/peers/backends-sse.yaml"))
                .withEphemeralPorts());
    String upstream = backends.listeners().get("openai").replace("http://", "");
    config =
        GatewayConfig.parse(
            """
            listeners: {public: {address: "127.0.0.1:0"}, admin: {address: "127.0.0.1:0"}}
            backends: [{name: openai, endpoints: [{address: "%s"}]}]
            routes:
              - name: api
                matches: [{path: {type: PathPrefix, value: /v1}}]
                backendRefs: [{name: openai}]
              - name: ready
                matches: [{path: {type: Exact, value: /health/ready}}]
                backendRefs: [{name: openai}]
            """
                .formatted(upstream),
            "peer-it-gateway.yaml");
    gateway = Gateway.start(config);
    http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (backends != null) {
      backends.close();
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"NGINX", "HAPROXY"})
  void servesTheGatewayRoutesStreamsUnbufferedAndStopsCleanly(PeerKind kind)
      throws IOException, InterruptedException {
    requireOrSkip(kind);
    String reference = gateway.listeners().get("public");
    Path work = dir.resolve(kind.binary());
    List<Long> pids;
    try (PeerTarget peer =
        PeerTarget.start(kind, config, PeerOptions.workers(2), work, work.resolve("peer.log"))) {
      assertThat(peer.baseUrl()).startsWith("http://127.0.0.1:");
      assertThat(Files.readString(peer.configFile())).contains(":" + peer.port());

      // Same routes: the status of each path as the reference gateway answers it.
      for (String path : List.of("/health/ready", "/v1/models", "/v1", "/v1x", "/other", "/")) {
        assertThat(get(peer.baseUrl() + path).statusCode())
            .as(kind + " GET " + path)
            .isEqualTo(get(reference + path).statusCode());
      }

      // Same answer to a non-streaming chat.
      HttpResponse<String> viaPeer = post(peer.baseUrl(), "");
      HttpResponse<String> viaGateway = post(reference, "");
      assertThat(viaPeer.statusCode()).isEqualTo(200).isEqualTo(viaGateway.statusCode());
      assertThat(content(viaPeer.body())).isEqualTo(content(viaGateway.body())).isNotBlank();

      // SSE: chunks paced 40 ms apart by the mock arrive spread out, not in one burst at the end.
      Stream peerStream = stream(peer.baseUrl());
      Stream gatewayStream = stream(reference);
      assertThat(peerStream.text()).isEqualTo(gatewayStream.text()).isNotBlank();
      assertThat(peerStream.arrivals()).hasSizeGreaterThanOrEqualTo(8);
      assertThat(peerStream.spreadMillis())
          .as("time between the first and the last SSE chunk through " + kind)
          .isGreaterThan(150);

      pids = peer.pids();
      if (kind == PeerKind.NGINX) {
        assertThat(pids).as("nginx master + 2 workers").hasSize(3);
      }
      assertThat(peer.pid()).isEqualTo(pids.get(0));
      assertThat(peer.cpuMillis()).isGreaterThanOrEqualTo(0);
      assertThat(peer.isAlive()).isTrue();
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> pids.stream().noneMatch(p -> ProcessHandle.of(p).isPresent()));
  }

  @ParameterizedTest
  @EnumSource(names = {"NGINX", "HAPROXY"})
  void portTakenByAnotherProcessIsReportedNotProbed(PeerKind kind) throws IOException {
    requireOrSkip(kind);
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Path work = dir.resolve(kind.binary() + "-taken");
      PeerOptions options = PeerOptions.workers(1).withPort(taken.getLocalPort());
      assertThatThrownBy(
              () -> PeerTarget.start(kind, config, options, work, work.resolve("peer.log")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("could not bind")
          .hasMessageContaining("port " + taken.getLocalPort() + " in use");
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"NGINX", "HAPROXY"})
  void everyTranslatedFeatureIsAcceptedByTheRealProgram(PeerKind kind)
      throws IOException, InterruptedException {
    requireOrSkip(kind);
    // Weighted split, exact and prefix routes, LeastRequest, RingHash: the golden route table.
    Path work = dir.resolve(kind.binary() + "-check");
    Files.createDirectories(work.resolve("tmp"));
    PeerOptions options = PeerConfigGoldenTest.OPTIONS.withFiles(work, work.resolve("peer.log"));
    Path file = work.resolve("peer.conf");
    Files.writeString(file, PeerTarget.generate(kind, PeerConfigGoldenTest.gateway(), options));
    Path binary = PeerBinaries.locate(kind).require();
    List<String> command =
        kind == PeerKind.NGINX
            ? List.of(
                binary.toString(),
                "-t",
                "-p",
                work + "/",
                "-c",
                file.toString(),
                "-e",
                work.resolve("peer.log").toString())
            : List.of(binary.toString(), "-c", "-f", file.toString());
    Process check = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor()).as(kind + " config check:\n" + output).isZero();
  }

  @ParameterizedTest
  @EnumSource(names = {"NGINX", "HAPROXY"})
  void anH2cBackendIsProxiedOverHttp2ByHaproxyAndOverHttp1ByNginx(PeerKind kind)
      throws IOException, InterruptedException {
    requireOrSkip(kind);
    GatewayConfig h2c =
        GatewayConfig.parse(
            """
            listeners: {public: {address: "127.0.0.1:0"}, admin: {address: "127.0.0.1:0"}}
            backends: [{name: openai, protocol: h2c, endpoints: [{address: "%s"}]}]
            routes:
              - name: api
                matches: [{path: {type: PathPrefix, value: /v1}}]
                backendRefs: [{name: openai}]
            """
                .formatted(backends.listeners().get("openai").replace("http://", "")),
            "peer-it-h2c.yaml");
    Path work = dir.resolve(kind.binary() + "-h2c");
    double h2Before = mockConnections("h2c");
    double http1Before = mockConnections("http1");
    try (PeerTarget peer =
        PeerTarget.start(kind, h2c, PeerOptions.workers(1), work, work.resolve("peer.log"))) {
      HttpResponse<String> viaPeer = post(peer.baseUrl(), "");
      assertThat(viaPeer.statusCode()).as(viaPeer.body()).isEqualTo(200);
      assertThat(content(viaPeer.body())).isNotBlank();
      Stream sse = stream(peer.baseUrl());
      assertThat(sse.text()).isNotBlank();
      String conf = Files.readString(peer.configFile());
      if (kind == PeerKind.HAPROXY) {
        assertThat(conf).contains(" proto h2");
        // the mock counts its accepted connections by protocol: HAProxy spoke HTTP/2 to it
        assertThat(mockConnections("h2c")).isGreaterThan(h2Before);
        assertThat(mockConnections("http1")).isEqualTo(http1Before);
      } else {
        assertThat(conf)
            .contains("# protocol h2c in the gateway: nginx's proxy_pass speaks HTTP/1.1");
        assertThat(peer.notes()).anySatisfy(n -> assertThat(n).contains("protocol h2c"));
        assertThat(mockConnections("h2c")).isEqualTo(h2Before);
        assertThat(mockConnections("http1")).isGreaterThan(http1Before);
      }
    }
  }

  /** The mock openai provider's accepted connections of {@code protocol} (http1, h2c), or 0. */
  private static double mockConnections(String protocol) throws IOException, InterruptedException {
    String body = get(backends.listeners().get("openai") + "/metrics").body();
    for (String line : body.split("\n")) {
      if (line.startsWith("forge_backend_connections_total{")
          && line.contains("protocol=\"" + protocol + "\"")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  private static void requireOrSkip(PeerKind kind) {
    PeerBinaries.Lookup lookup = PeerBinaries.locate(kind);
    assumeTrue(lookup.available() || lookup.required(), lookup.note());
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest chat(String base, String extra) {
    return HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json")
        .header("authorization", "Bearer sk-forge-test")
        .POST(HttpRequest.BodyPublishers.ofString(String.format(Locale.ROOT, CHAT, extra)))
        .build();
  }

  private static HttpResponse<String> post(String base, String extra)
      throws IOException, InterruptedException {
    return http.send(chat(base, extra), HttpResponse.BodyHandlers.ofString());
  }

  private static String content(String body) throws IOException {
    return YamlConfig.jsonMapper()
        .readTree(body)
        .path("choices")
        .path(0)
        .path("message")
        .path("content")
        .asText();
  }

  /** One SSE answer: its text and when each data event arrived. */
  private record Stream(String text, List<Long> arrivals) {
    long spreadMillis() {
      return (arrivals.get(arrivals.size() - 1) - arrivals.get(0)) / 1_000_000;
    }
  }

  private static Stream stream(String base) throws IOException, InterruptedException {
    HttpResponse<java.util.stream.Stream<String>> response =
        http.send(chat(base, ",\"stream\":true"), HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    StringBuilder text = new StringBuilder();
    List<Long> arrivals = new ArrayList<>();
    try (java.util.stream.Stream<String> lines = response.body()) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (!line.startsWith("data:")) {
          continue;
        }
        arrivals.add(System.nanoTime());
        String data = line.substring(5).trim();
        if (!data.equals("[DONE]")) {
          JsonNode chunk = YamlConfig.jsonMapper().readTree(data);
          text.append(chunk.path("choices").path(0).path("delta").path("content").asText(""));
        }
      }
    }
    return new Stream(text.toString(), arrivals);
  }
}
