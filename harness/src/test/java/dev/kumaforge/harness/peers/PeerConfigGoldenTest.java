package dev.kumaforge.harness.peers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.gateway.config.GatewayConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The generated nginx and HAProxy configs of a route table with every feature the peers reproduce,
 * compared with reviewed files; on a difference the actual text is written to {@code target/} for
 * review.
 */
class PeerConfigGoldenTest {
  static final Path GOLDEN = Path.of("src/test/resources/peers");
  static final PeerOptions OPTIONS =
      new PeerOptions(2, "127.0.0.1", 18080, Path.of("/work/peer"), Path.of("/work/peer/peer.log"));

  static GatewayConfig gateway() {
    return GatewayConfig.load(GOLDEN.resolve("gateway-golden.yaml"));
  }

  @Test
  void nginxConfigMatchesGolden() throws IOException {
    check("nginx.golden.conf", NginxConfig.generate(gateway(), OPTIONS));
  }

  @Test
  void haproxyConfigMatchesGolden() throws IOException {
    check("haproxy.golden.cfg", HaproxyConfig.generate(gateway(), OPTIONS));
  }

  @Test
  void envoyConfigMatchesGolden() throws IOException {
    check("envoy.golden.yaml", EnvoyConfig.generate(gateway(), OPTIONS));
  }

  private static void check(String name, String actual) throws IOException {
    Path golden = GOLDEN.resolve(name);
    String expected = Files.exists(golden) ? Files.readString(golden) : "";
    if (!expected.equals(actual)) {
      Path out = Path.of("target", "golden-actual", name);
      Files.createDirectories(out.getParent());
      Files.writeString(out, actual);
    }
    assertThat(actual)
        .as("generated " + name + " (actual text in target/golden-actual)")
        .isEqualTo(expected);
  }
}
