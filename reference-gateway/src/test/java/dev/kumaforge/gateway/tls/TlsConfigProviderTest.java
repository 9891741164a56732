package dev.kumaforge.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.common.config.ConfigError;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.gateway.tls.TlsConfig.Provider;
import io.netty.handler.ssl.OpenSsl;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which provider a listener gets, and the settings BoringSSL cannot serve exactly. */
class TlsConfigProviderTest {
  private static TlsConfig tls(List<String> protocols, List<String> suites, Provider provider) {
    return new TlsConfig("c.pem", "k.pem", protocols, suites, null, null, null, provider);
  }

  private static List<ConfigError> errors(TlsConfig c) {
    Validator v = Validator.root();
    c.validate(v.at("tls"));
    return v.errors();
  }

  @Test
  void autoIsOpenSslWhereItLoadsAndTheDefaultsAreServedExactly() {
    TlsConfig c = tls(null, null, null);
    assertThat(c.provider()).isEqualTo(Provider.auto);
    assertThat(c.openSslMismatch()).isNull();
    assertThat(c.effectiveProvider())
        .isEqualTo(OpenSsl.isAvailable() ? Provider.openssl : Provider.jdk);
    assertThat(tls(null, null, Provider.jdk).effectiveProvider()).isEqualTo(Provider.jdk);
    assertThat(errors(c)).isEmpty();
    assertThat(errors(tls(null, null, Provider.jdk))).isEmpty();
  }

  @Test
  void settingsBoringSslWouldWidenStayOnTheJdkOrAreRefusedWithOpenssl() {
    // BoringSSL enables every TLS 1.3 suite with TLS 1.3 ...
    TlsConfig fewer13 =
        tls(
            null,
            List.of("TLS_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
            null);
    // ... and its own TLS 1.2 defaults (CBC, static RSA) when the list has no TLS 1.2 suite
    TlsConfig no12 = tls(null, TlsConfig.TLS13_SUITES, null);
    for (TlsConfig c : List.of(fewer13, no12)) {
      assertThat(c.openSslMismatch()).isNotNull();
      assertThat(c.effectiveProvider()).isEqualTo(Provider.jdk);
      assertThat(errors(c)).isEmpty();
      List<ConfigError> refused = errors(c.withProvider(Provider.openssl));
      assertThat(refused).extracting(ConfigError::path).containsExactly("tls.provider");
      assertThat(refused.get(0).toString()).contains("use auto or jdk");
    }
    // TLS 1.3 only: the TLS 1.2 list does not matter
    TlsConfig only13 = tls(List.of("TLSv1.3"), TlsConfig.TLS13_SUITES, Provider.openssl);
    assertThat(only13.openSslMismatch()).isNull();
  }
}
