package dev.kumaforge.harness.cli;

import dev.kumaforge.common.tls.DevCertificates;
import dev.kumaforge.common.tls.KeyType;
import dev.kumaforge.common.tls.SpiffeId;
import dev.kumaforge.common.units.Durations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code forge certs}: a development CA and leaf certificates with SPIFFE IDs. */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    header = "Create a development CA and server and client certificates with SPIFFE IDs.",
    description = {
      "Create a development CA and server and client certificates with SPIFFE IDs",
      "(spiffe://<trust-domain>/<id>, one URI SAN each), for mTLS tests and examples.",
      "Writes ca.pem, ca-key.pem, server.pem, server-key.pem, client.pem, client-key.pem.",
      "Keys are unencrypted PKCS#8 PEM: for development and tests only."
    })
public final class CertsCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

  @Option(
      names = "--trust-domain",
      defaultValue = "forge.local",
      description = "SPIFFE trust domain (default ${DEFAULT-VALUE}).")
  String trustDomain;

  @Option(
      names = "--server-id",
      defaultValue = "/gateway",
      description = "SPIFFE path of the server certificate (default ${DEFAULT-VALUE}).")
  String serverId;

  @Option(
      names = "--client-id",
      defaultValue = "/client",
      description = "SPIFFE path of the client certificate (default ${DEFAULT-VALUE}).")
  String clientId;

  @Option(
      names = "--hosts",
      split = ",",
      defaultValue = "localhost,127.0.0.1",
      description =
          "DNS names and IP addresses of the server certificate (default ${DEFAULT-VALUE}).")
  List<String> hosts;

  @Option(
      names = "--key-type",
      defaultValue = "ec-p256",
      description = "ec-p256 (default), ec-p384 or rsa-2048.")
  String keyType;

  @Option(
      names = "--validity",
      defaultValue = "365d",
      description = "Validity of every certificate, e.g. 30d, 12h (default ${DEFAULT-VALUE}).")
  String validity;

  @Option(names = "--force", description = "Overwrite certificates already in --out.")
  boolean force;

  @Override
  public Integer call() throws Exception {
    KeyType type = KeyType.of(keyType);
    Duration length = parseValidity(validity);
    SpiffeId server = new SpiffeId(trustDomain, serverId);
    SpiffeId client = new SpiffeId(trustDomain, clientId);
    if (!force && Files.exists(out.resolve("ca.pem"))) {
      throw new IllegalArgumentException(
          out.resolve("ca.pem") + " exists; use --force to replace the CA and every certificate");
    }
    Instant from = Instant.now().minusSeconds(300);
    DevCertificates.Issued ca =
        DevCertificates.ca("Kuma-API-Forge dev CA (" + trustDomain + ")", type, from, length);
    DevCertificates.Issued serverCert =
        DevCertificates.leaf(
            ca,
            DevCertificates.LeafSpec.server(serverId.substring(1), server, hosts)
                .withKeyType(type)
                .withValidity(from, length));
    DevCertificates.Issued clientCert =
        DevCertificates.leaf(
            ca,
            DevCertificates.LeafSpec.client(clientId.substring(1), client)
                .withKeyType(type)
                .withValidity(from, length));
    DevCertificates.write(out, "ca", ca);
    DevCertificates.write(out, "server", serverCert);
    DevCertificates.write(out, "client", clientCert);
    System.out.println("wrote " + out.toAbsolutePath() + ":");
    System.out.println("  ca.pem, ca-key.pem          CA (" + type + ", valid " + validity + ")");
    System.out.println("  server.pem, server-key.pem  " + server + "  hosts " + hosts);
    System.out.println("  client.pem, client-key.pem  " + client);
    return 0;
  }

  static Duration parseValidity(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    if (t.endsWith("d")) {
      try {
        return Duration.ofDays(Long.parseLong(t.substring(0, t.length() - 1)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--validity '" + text + "' (expected: e.g. 365d or 12h)");
      }
    }
    try {
      return Durations.parse(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--validity '" + text + "' (expected: e.g. 365d or 12h)");
    }
  }
}
