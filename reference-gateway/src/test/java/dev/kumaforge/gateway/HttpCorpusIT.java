package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.gateway.config.GatewayConfig;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays the raw requests of {@code src/test/resources/http-corpus} (RELIABILITY.md items 1-12 and
 * 16; the fuzzing seed corpus of item 35) over raw sockets: each gets exactly the status its file
 * name states, closes the connection where it says so, and a refused request never reaches the
 * backend; under both HTTP fronts ({@code server.front}: Pekko's server layer, Netty's codec).
 */
class HttpCorpusIT {
  static TestUpstream upstream;
  static java.util.Map<String, Gateway> gateways = new java.util.HashMap<>();

  @BeforeAll
  static void start() throws IOException {
    upstream = new TestUpstream("u");
    for (String front : List.of("pekko", "netty")) {
      gateways.put(front, start(front));
    }
  }

  private static Gateway start(String front) {
    return Gateway.start(
        GatewayConfig.parse(
            """
                listeners:
                  public:
                    address: "127.0.0.1:0"
                    limits: {maxUriLength: 1KiB, maxHeaderBytes: 8KiB, maxHeaderCount: 20,
                             maxBodySize: 1KiB, bodyTimeout: 2s}
                  admin: {address: "127.0.0.1:0"}
                backends:
                  - name: b
                    endpoints: [{address: "%s"}]
                routes:
                  - name: r
                    hostnames: [api.example]
                    backendRefs: [{name: b}]
                server: {front: %s}
                """
                .formatted(upstream.address(), front),
            "corpus"));
  }

  @AfterAll
  static void stop() {
    gateways.values().forEach(Gateway::close);
    upstream.close();
  }

  static Stream<Arguments> corpus() throws IOException, URISyntaxException {
    Path dir = Path.of(HttpCorpusIT.class.getResource("/http-corpus").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> list =
          files
              .filter(p -> p.toString().endsWith(".http") || p.toString().endsWith(".raw"))
              .sorted()
              .toList();
      assertThat(list).hasSizeGreaterThan(30);
      return list.stream()
          .flatMap(p -> Stream.of(Arguments.of("pekko", p), Arguments.of("netty", p)));
    }
  }

  @ParameterizedTest(name = "front {0}: {1}")
  @MethodSource("corpus")
  void replays(String front, Path file) throws IOException {
    Gateway gateway = gateways.get(front);
    String name = file.getFileName().toString();
    String[] parts = name.split("\\.");
    String expected = parts[1];
    int status = Integer.parseInt(expected.substring(0, 3));
    boolean close = expected.endsWith("-close");
    byte[] bytes = Files.readAllBytes(file);
    if (name.endsWith(".http")) {
      bytes = RawHttp.crlf(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1));
    }
    int before = upstream.count.get();

    RawHttp.Answer a = RawHttp.send(gateway.listeners().get("public"), bytes, 10_000, close);

    assertThat(a.status()).as(a.text()).isEqualTo(status);
    if (close) {
      assertThat(a.closed()).as("connection closed").isTrue();
    }
    if (status >= 400) {
      assertThat(upstream.count.get()).as("backend requests").isEqualTo(before);
      if (status < 500) {
        assertThat(a.text()).contains("{\"error\":{\"code\":");
      }
    } else {
      assertThat(upstream.count.get()).as("backend requests").isEqualTo(before + 1);
    }
  }
}
