package dev.kumaforge.harness.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.common.config.YamlConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigRewriterTest {
  static final String CONFIG =
      """
      listeners:
        public:
          address: "127.0.0.1:18443"
          tls:
            certificate: certs/server.pem
            privateKey: /abs/server-key.pem
            clientCaBundles: [certs/ca.pem, ../other/ca2.pem]
        admin: {address: "127.0.0.1:18444"}
      backends:
        - name: openai
          endpoints: [{address: "localhost:18001"}, {address: "10.0.0.1:80"}]
          tls: {caBundle: up/ca.pem}
      authentication:
        apiKeys: {file: keys.txt}
        jwt:
          providers:
            - {name: a, secretFile: secret.bin}
            - {name: b, jwks: {file: jwks.json}}
      routes: []
      """;

  @Test
  void portsGoToZeroEndpointsToTheBoundMocksAndFilesBecomeAbsolute() {
    String out =
        GatewayConfigRewriter.rewrite(
            CONFIG, "/srv/scenarios/gw.yaml", Map.of("127.0.0.1:18001", "127.0.0.1:41234"));
    JsonNode t = YamlConfig.parseTree(out, "rewritten");
    assertThat(t.at("/listeners/public/address").asText()).isEqualTo("127.0.0.1:0");
    assertThat(t.at("/listeners/admin/address").asText()).isEqualTo("127.0.0.1:0");
    assertThat(t.at("/backends/0/endpoints/0/address").asText()).isEqualTo("127.0.0.1:41234");
    assertThat(t.at("/backends/0/endpoints/1/address").asText()).isEqualTo("10.0.0.1:80");
    assertThat(t.at("/listeners/public/tls/certificate").asText())
        .isEqualTo("/srv/scenarios/certs/server.pem");
    assertThat(t.at("/listeners/public/tls/privateKey").asText()).isEqualTo("/abs/server-key.pem");
    assertThat(t.at("/listeners/public/tls/clientCaBundles/0").asText())
        .isEqualTo("/srv/scenarios/certs/ca.pem");
    assertThat(t.at("/listeners/public/tls/clientCaBundles/1").asText())
        .isEqualTo("/srv/other/ca2.pem");
    assertThat(t.at("/backends/0/tls/caBundle").asText()).isEqualTo("/srv/scenarios/up/ca.pem");
    assertThat(t.at("/authentication/apiKeys/file").asText()).isEqualTo("/srv/scenarios/keys.txt");
    assertThat(t.at("/authentication/jwt/providers/0/secretFile").asText())
        .isEqualTo("/srv/scenarios/secret.bin");
    assertThat(t.at("/authentication/jwt/providers/1/jwks/file").asText())
        .isEqualTo("/srv/scenarios/jwks.json");
  }
}
