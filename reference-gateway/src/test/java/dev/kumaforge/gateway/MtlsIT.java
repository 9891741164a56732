package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.common.tls.DevCertificates.Issued;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RELIABILITY 19 and the client identity: an mTLS listener refuses clients without a usable
 * certificate at the handshake, routes with {@code trafficPermission} answer 403 to identities they
 * do not allow, and the backend sees the verified identity in {@code x-forge-client-identity},
 * never a client-sent one (also on LLM routes, whose upstream requests the AI gateway builds).
 */
class MtlsIT {
  @TempDir Path dir;
  private TestUpstream upstream;
  private Gateway gateway;
  private TlsFixture certs;

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream("u");
    certs = new TlsFixture(dir);
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(
        config,
        """
        listeners:
          public:
            address: "127.0.0.1:0"
            tls:
              certificate: server.pem
              privateKey: server-key.pem
              clientValidation: require
              clientCaBundles: [ca.pem]
          admin: {address: "127.0.0.1:0"}
        backends: [{name: b, endpoints: [{address: "%s"}]}]
        routes:
          - name: team-a
            matches: [{path: {type: PathPrefix, value: /team-a}}]
            backendRefs: [{name: b}]
            trafficPermission:
              default: Deny
              rules:
                - {spiffeId: "spiffe://forge.local/ns/team-a/*", action: Allow}
                - {spiffeId: "spiffe://forge.local/ns/team-a/blocked", action: Deny}
          - name: open
            backendRefs: [{name: b}]
        """
            .formatted(upstream.address()));
    gateway = Gateway.start(config);
  }

  @AfterEach
  void stop() {
    gateway.close();
    upstream.close();
  }

  private HttpResponse<String> get(Issued client, String path, String... headers) throws Exception {
    HttpClient http = TlsFixture.http(TlsFixture.context(client, certs.ca));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(gateway.listeners().get("public") + path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void clientsWithoutAUsableCertificateFailTheHandshakeAndTheBackendSeesNothing() throws Exception {
    for (Issued bad : TlsFixture.unusableClients(certs.ca)) {
      for (String path : new String[] {"/team-a/x", "/open"}) {
        assertThatThrownBy(() -> get(bad, path)).isInstanceOf(IOException.class);
      }
    }
    assertThat(upstream.count.get()).isZero();
  }

  @Test
  void trafficPermissionRefusesOtherIdentitiesWith403() throws Exception {
    for (String id : new String[] {"/ns/team-b/client", "/ns/team-a/blocked", "/team-a"}) {
      HttpResponse<String> r = get(TlsFixture.client(certs.ca, id), "/team-a/x");
      assertThat(r.statusCode()).as(id).isEqualTo(403);
      assertThat(r.body())
          .contains("\"code\":\"forbidden\"")
          .contains("client spiffe://forge.local" + id + " is not allowed on route team-a");
    }
    assertThat(upstream.count.get()).isZero();
    assertThat(get(TlsFixture.client(certs.ca, "/ns/team-b/client"), "/open").statusCode())
        .isEqualTo(200);
    assertThat(get(TlsFixture.client(certs.ca, "/ns/team-a/svc"), "/team-a/x").statusCode())
        .isEqualTo(200);
    assertThat(upstream.count.get()).isEqualTo(2);
  }

  @Test
  void theBackendSeesTheVerifiedIdentityNeverAClientSentOne() throws Exception {
    HttpResponse<String> r =
        get(
            TlsFixture.client(certs.ca, "/ns/team-a/svc"),
            "/team-a/x",
            "X-Forge-Client-Identity",
            "spiffe://forge.local/admin");
    assertThat(r.statusCode()).isEqualTo(200);
    TestUpstream.Seen seen = upstream.seen.poll();
    assertThat(seen.header("x-forge-client-identity"))
        .isEqualTo("spiffe://forge.local/ns/team-a/svc");
  }

  @Test
  void anLlmRouteSendsTheVerifiedIdentityUpstreamNeverAClientSentOne() throws Exception {
    TestUpstream llm = new TestUpstream("llm");
    llm.behave(
        (ex, n) ->
            TestUpstream.respond(
                ex,
                200,
                "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,"
                    + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":"
                    + "{\"role\":\"assistant\",\"content\":\"A fox.\"},"
                    + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,"
                    + "\"completion_tokens\":2,\"total_tokens\":7}}"));
    Path config = dir.resolve("ai-gateway.yaml");
    Files.writeString(
        config,
        """
        listeners:
          public:
            address: "127.0.0.1:0"
            tls:
              certificate: server.pem
              privateKey: server-key.pem
              clientValidation: require
              clientCaBundles: [ca.pem]
          admin: {address: "127.0.0.1:0"}
        backends: [{name: openai, endpoints: [{address: "%s"}]}]
        routes:
          - name: llm
            matches: [{path: {type: PathPrefix, value: /v1}}]
            llm: true
        consumers:
          - name: team-a
            apiKeys: ["%s"]
        ai:
          models:
            - name: gpt-4o-mini
              deployments: [{backend: openai, model: gpt-4o-mini}]
        """
            .formatted(llm.address(), dev.kumaforge.gateway.consumer.ApiKeyHash.hash("key-a")));
    try (Gateway ai = Gateway.start(config)) {
      HttpClient http =
          TlsFixture.http(
              TlsFixture.context(TlsFixture.client(certs.ca, "/ns/team-a/svc"), certs.ca));
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(ai.listeners().get("public") + "/v1/chat/completions"))
                  .header("Authorization", "Bearer key-a")
                  .header("Content-Type", "application/json")
                  .header("X-Forge-Client-Identity", "spiffe://forge.local/admin")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
                              + "\"content\":\"Name an animal.\"}]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      TestUpstream.Seen seen = llm.seen.poll();
      assertThat(seen.path()).isEqualTo("/v1/chat/completions");
      assertThat(seen.header("x-forge-client-identity"))
          .as("exactly the verified identity, once")
          .isEqualTo("spiffe://forge.local/ns/team-a/svc");
    } finally {
      llm.close();
    }
  }

  @Test
  void aPlainListenerStripsAClientSentIdentity() throws Exception {
    try (GatewayFixture plain =
        new GatewayFixture(
            """
            backends: [{name: b, endpoints: [{address: "%s"}]}]
            routes: [{name: r, backendRefs: [{name: b}]}]
            """
                .formatted(upstream.address()))) {
      HttpResponse<String> r =
          plain.send(
              HttpRequest.newBuilder(URI.create(plain.url("/x")))
                  .header("x-forge-client-identity", "spiffe://forge.local/admin")
                  .build());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(upstream.seen.poll().header("x-forge-client-identity")).isNull();
    }
  }
}
