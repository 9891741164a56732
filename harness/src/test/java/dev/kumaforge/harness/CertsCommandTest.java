package dev.kumaforge.harness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.gateway.tls.SpiffeIds;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code forge certs}: the files, the SPIFFE IDs, the chain, and refusal to clobber a CA. */
class CertsCommandTest {
  @TempDir Path dir;

  private int run(StringWriter err, String... args) {
    CommandLine cl = Forge.commandLine();
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  private static X509Certificate read(Path pem) throws Exception {
    try (var in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  @Test
  void writesCaServerAndClientWithSpiffeIds() throws Exception {
    StringWriter err = new StringWriter();
    int code =
        run(
            err,
            "certs",
            "--out",
            dir.toString(),
            "--trust-domain",
            "prod.example",
            "--client-id",
            "/ns/a/sa/web");
    assertThat(code).as(err.toString()).isZero();
    X509Certificate ca = read(dir.resolve("ca.pem"));
    X509Certificate server = read(dir.resolve("server.pem"));
    X509Certificate client = read(dir.resolve("client.pem"));
    server.verify(ca.getPublicKey());
    client.verify(ca.getPublicKey());
    assertThat(SpiffeIds.of(server))
        .extracting(Object::toString)
        .containsExactly("spiffe://prod.example/gateway");
    assertThat(SpiffeIds.of(client))
        .extracting(Object::toString)
        .containsExactly("spiffe://prod.example/ns/a/sa/web");
    assertThat(server.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(Files.readString(dir.resolve("client-key.pem")))
        .startsWith("-----BEGIN PRIVATE KEY-----");

    StringWriter again = new StringWriter();
    assertThat(run(again, "certs", "--out", dir.toString())).isEqualTo(2);
    assertThat(again.toString()).contains("--force");
    assertThat(read(dir.resolve("ca.pem"))).isEqualTo(ca);
  }

  @Test
  void badArgumentsNameTheOption() {
    StringWriter err = new StringWriter();
    assertThat(run(err, "certs", "--out", dir.toString(), "--key-type", "dsa")).isEqualTo(2);
    assertThat(err.toString()).contains("'dsa'").contains("ec-p256");
    StringWriter err2 = new StringWriter();
    assertThat(run(err2, "certs", "--out", dir.toString(), "--trust-domain", "Bad Domain"))
        .isEqualTo(2);
    assertThat(err2.toString()).contains("trust domain");
  }
}
