package dev.kumaforge.gateway.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Every error of a backend's tls block is reported at once, with its YAML path. */
class UpstreamTlsTest {
  @Test
  void allErrorsNameTheirPath() {
    assertThatThrownBy(
            () ->
                GatewayConfig.parse(
                    """
                    listeners:
                      public: {address: "127.0.0.1:0"}
                      admin: {address: "127.0.0.1:0"}
                    backends:
                      - name: b
                        endpoints: [{address: "127.0.0.1:1"}]
                        tls:
                          caBundle: /nonexistent/ca.pem
                          certificate: /nonexistent/client.pem
                          sni: "bad name"
                          spiffeId: "http://x/y"
                    routes:
                      - name: r
                        backendRefs: [{name: b}]
                    """,
                    "gw.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("backends[0].tls.caBundle: /nonexistent/ca.pem: cannot read")
        .hasMessageContaining("backends[0].tls.certificate: /nonexistent/client.pem: cannot read")
        .hasMessageContaining("backends[0].tls.privateKey: missing required key")
        .hasMessageContaining("backends[0].tls.sni: 'bad name' (expected: a DNS host name)")
        .hasMessageContaining("backends[0].tls.spiffeId: 'http://x/y' is not a SPIFFE ID");
  }
}
