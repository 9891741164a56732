package dev.kumaforge.gateway;

import static dev.kumaforge.gateway.auth.TestTokens.RSA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.kumaforge.gateway.auth.TestTokens;
import dev.kumaforge.gateway.consumer.ApiKeyHash;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Route authentication over real sockets: API keys (config and key file), JWTs from a JWKS URL
 * served on port 0 and an HS256 secret file; RELIABILITY 6, 21, 22 and 23. "Backend: none" is
 * checked by the upstream's request count.
 */
class AuthIT {
  static final String KEY_A = "sk-canary-valid-7f3a9c1e5b";
  static final String KEY_FILE = "sk-canary-file-2d8e4b6a0c";
  static final String KEY_BAD = "sk-canary-invalid-9e1c3a5f7d";
  static final String HS_ISSUER = "https://hs.test";

  @TempDir Path dir;
  TestUpstream upstream;
  JwksServer jwks;
  GatewayFixture gw;
  Path keyFile;
  int closedPort;

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream("api");
    jwks = new JwksServer(TestTokens.jwks(RSA));
    keyFile = dir.resolve("keys.txt");
    Files.writeString(
        keyFile,
        "# consumer hash\n\nteam-file " + ApiKeyHash.hash(KEY_FILE) + "\n",
        java.nio.charset.StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("hs.secret"), TestTokens.SECRET + "\n");
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    gw = new GatewayFixture(config("accessLog: {enabled: true}\n"));
  }

  @AfterEach
  void stop() {
    if (gw != null) {
      gw.close();
    }
    jwks.close();
    upstream.close();
  }

  String config(String extra) {
    return """
        backends:
          - name: api
            endpoints: [{address: "%s"}]
        routes:
          - name: open
            matches: [{path: {type: PathPrefix, value: /open}}]
            backendRefs: [{name: api}]
          - name: optional
            matches: [{path: {type: PathPrefix, value: /optional}}]
            backendRefs: [{name: api}]
            authentication: {required: false}
          - name: jwtonly
            matches: [{path: {type: PathPrefix, value: /jwt}}]
            backendRefs: [{name: api}]
            authentication: {methods: [jwt]}
          - name: keyed
            matches: [{path: {type: PathPrefix, value: /}}]
            backendRefs: [{name: api}]
            authentication: {methods: [apiKey, jwt], required: true}
        consumers:
          - name: team-a
            apiKeys: ["%s"]
        authentication:
          apiKeys: {file: "%s"}
          jwt:
            maxTokenSize: 4KiB
            providers:
              - name: rsa
                issuer: %s
                audiences: [%s]
                jwks: {uri: "%s", refreshMinInterval: 200ms}
              - name: hs
                issuer: %s
                secretFile: "%s"
              - name: down
                issuer: https://down.test
                jwks: {uri: "http://127.0.0.1:%d/jwks", timeout: 1s}
        %s"""
        .formatted(
            upstream.address(),
            ApiKeyHash.hash(KEY_A),
            keyFile,
            TestTokens.ISSUER,
            TestTokens.AUDIENCE,
            jwks.url(),
            HS_ISSUER,
            dir.resolve("hs.secret"),
            closedPort,
            extra);
  }

  HttpResponse<String> get(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.url(path))).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return gw.send(b.build());
  }

  static JWTClaimsSet.Builder claims(String sub) {
    return TestTokens.claims(sub, Instant.now());
  }

  @Test
  void apiKeysAndJwtsAuthenticateAndOnlyTheGatewaySetsTheConsumerHeader() {
    assertThat(get("/x", "Authorization", "Bearer " + KEY_A).statusCode()).isEqualTo(200);
    TestUpstream.Seen seen = upstream.seen.poll();
    assertThat(seen.header("x-forge-consumer")).isEqualTo("team-a");
    assertThat(seen.header("authorization")).as("credentials are not forwarded").isNull();

    assertThat(get("/x", "x-api-key", KEY_FILE, "x-forge-consumer", "admin").statusCode())
        .isEqualTo(200);
    assertThat(upstream.seen.poll().header("x-forge-consumer")).isEqualTo("team-file");

    String jwt = TestTokens.sign(RSA, claims("svc-billing").build());
    assertThat(get("/jwt/x", "Authorization", "Bearer " + jwt).statusCode()).isEqualTo(200);
    assertThat(upstream.seen.poll().header("x-forge-consumer")).isEqualTo("svc-billing");
    String hs = TestTokens.hs256(claims("team-a").issuer(HS_ISSUER).build());
    assertThat(get("/x", "Authorization", "Bearer " + hs).statusCode()).isEqualTo(200);
    assertThat(upstream.seen.poll().header("x-forge-consumer")).isEqualTo("team-a");

    // routes without authentication never pass a client's identity header on
    assertThat(get("/open/x", "x-forge-consumer", "admin").statusCode()).isEqualTo(200);
    assertThat(upstream.seen.poll().header("x-forge-consumer")).isNull();
    // optional: anonymous passes without the header, a bad credential is still 401
    assertThat(get("/optional/x").statusCode()).isEqualTo(200);
    assertThat(upstream.seen.poll().header("x-forge-consumer")).isNull();
    assertThat(get("/optional/x", "x-api-key", KEY_BAD).statusCode()).isEqualTo(401);
    // a jwt-only route refuses API keys
    assertThat(get("/jwt/x", "x-api-key", KEY_A).statusCode()).isEqualTo(401);
    assertThat(upstream.count.get()).isEqualTo(6);
  }

  @Test
  void missingBadOrUnderscoredCredentialsAre401AndTheBackendSeesNothing() {
    HttpResponse<String> missing = get("/x");
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"forge\"");
    assertThat(missing.body())
        .isEqualTo(
            "{\"error\":{\"code\":\"unauthorized\",\"status\":401,\"message\":\"authentication"
                + " required: send Authorization: Bearer <token> or x-api-key: <key>\"}}");
    HttpResponse<String> bad = get("/x", "Authorization", "Bearer " + KEY_BAD);
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(bad.headers().firstValue("www-authenticate"))
        .hasValue("Bearer realm=\"forge\", error=\"invalid_token\"");
    // RELIABILITY 6: only the exact header names authenticate
    assertThat(get("/x", "x_api_key", KEY_A).statusCode()).isEqualTo(401);
    assertThat(get("/x", "x-api_key", KEY_A).statusCode()).isEqualTo(401);
    assertThat(get("/x", "Authorization", "Basic " + KEY_A).statusCode()).isEqualTo(401);
    assertThat(get("/x", "Authorization", "Bearer " + KEY_A, "x-api-key", KEY_A).statusCode())
        .as("two credentials are ambiguous")
        .isEqualTo(401);
    assertThat(upstream.count.get()).isZero();
    assertThat(gw.adminGet("/metrics").body())
        .contains("gateway_auth_failures_total{reason=\"missing\",route=\"keyed\"} 3")
        .contains("gateway_auth_failures_total{reason=\"unknown_key\",route=\"keyed\"} 1")
        .contains("gateway_auth_failures_total{reason=\"malformed\",route=\"keyed\"} 2")
        .contains("gateway_requests_total{route=\"keyed\",status=\"401\"} 6");
  }

  @Test
  void everyBadTokenOfReliability21Is401WithTheSameBody() {
    Instant now = Instant.now();
    RSAKey stranger = TestTokens.rsa("rsa-x");
    Map<String, String> tokens = new java.util.LinkedHashMap<>();
    tokens.put("alg none", TestTokens.none(claims("a").build()));
    tokens.put(
        "HS256 with the RSA public key", TestTokens.hs256WithPublicKey(RSA, claims("a").build()));
    tokens.put("bad signature", TestTokens.tamper(TestTokens.sign(RSA, claims("a").build())));
    tokens.put(
        "expired beyond skew",
        TestTokens.sign(RSA, claims("a").expirationTime(Date.from(now.minusSeconds(60))).build()));
    tokens.put(
        "future nbf",
        TestTokens.sign(RSA, claims("a").notBeforeTime(Date.from(now.plusSeconds(120))).build()));
    tokens.put("wrong iss", TestTokens.sign(RSA, claims("a").issuer("https://evil.test").build()));
    tokens.put("wrong aud", TestTokens.sign(RSA, claims("a").audience("other").build()));
    tokens.put("unknown kid", TestTokens.sign(stranger, claims("a").build()));
    tokens.put(
        "over maxTokenSize",
        TestTokens.sign(RSA, claims("a").claim("pad", "p".repeat(4000)).build()));
    String expected = null;
    for (Map.Entry<String, String> t : tokens.entrySet()) {
      HttpResponse<String> r = get("/x", "Authorization", "Bearer " + t.getValue());
      assertThat(r.statusCode()).as(t.getKey()).isEqualTo(401);
      expected = expected == null ? r.body() : expected;
      assertThat(r.body()).as(t.getKey() + ": no internal detail").isEqualTo(expected);
    }
    assertThat(expected).contains("the credentials are not valid");
    // 64 KB is beyond Pekko's header value limit: refused before any route (431), else 401
    String huge = "eyJ" + "a".repeat(64 * 1024) + ".b.c";
    assertThat(get("/x", "Authorization", "Bearer " + huge).statusCode()).isIn(401, 431);
    assertThat(upstream.count.get()).as("backend: none").isZero();
  }

  @Test
  void jwksRotationIsPickedUpAndAnUnreachableJwksFailsClosed() {
    RSAKey next = TestTokens.rsa("rsa-2");
    String rotated = TestTokens.sign(next, claims("a").build());
    assertThat(get("/x", "Authorization", "Bearer " + rotated).statusCode()).isEqualTo(401);
    jwks.serve(TestTokens.jwks(RSA, next));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> get("/x", "Authorization", "Bearer " + rotated).statusCode() == 200);
    assertThat(
            get("/x", "Authorization", "Bearer " + TestTokens.sign(RSA, claims("b").build()))
                .statusCode())
        .isEqualTo(200);
    int count = upstream.count.get();
    // RELIABILITY 22: the provider whose JWKS URL refuses connections accepts nothing
    String down = TestTokens.sign(RSA, claims("a").issuer("https://down.test").build());
    for (int i = 0; i < 3; i++) {
      assertThat(get("/x", "Authorization", "Bearer " + down).statusCode()).isEqualTo(401);
    }
    assertThat(upstream.count.get()).isEqualTo(count);
    assertThat(gw.adminGet("/metrics").body())
        .contains("gateway_auth_failures_total{reason=\"keys_unavailable\",route=\"keyed\"}");
  }

  @Test
  void aKeyRemovedFromTheKeyFileIs401RightAfterTheReload() throws Exception {
    assertThat(get("/x", "x-api-key", KEY_FILE).statusCode()).isEqualTo(200);
    Files.writeString(keyFile, "# team-file revoked\n");
    HttpResponse<String> reload = gw.adminPost("/reload", GatewayFixture.LISTENERS + config(""));
    assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
    assertThat(get("/x", "x-api-key", KEY_FILE).statusCode()).isEqualTo(401);
    assertThat(get("/x", "x-api-key", KEY_A).statusCode()).isEqualTo(200);

    Files.writeString(keyFile, "team-file not-a-hash " + KEY_FILE + "\n");
    HttpResponse<String> bad = gw.adminPost("/reload", GatewayFixture.LISTENERS + config(""));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("keys.txt' line 1").doesNotContain(KEY_FILE);
  }

  @Test
  void canaryCredentialsAppearInNoLogErrorBodyMetricOrConfig() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Level old = root.getLevel();
    root.addAppender(logs);
    root.setLevel(Level.DEBUG);
    List<String> seen = new ArrayList<>();
    String validJwt = TestTokens.sign(RSA, claims("canary-sub").build());
    String badJwt = TestTokens.tamper(validJwt);
    String hsJwt = TestTokens.hs256(claims("x").issuer(HS_ISSUER).build());
    try {
      for (String credential : List.of(KEY_A, KEY_FILE, KEY_BAD, validJwt, badJwt, hsJwt)) {
        for (String path : List.of("/x", "/open/x", "/jwt/x", "/optional/x")) {
          seen.add(get(path, "Authorization", "Bearer " + credential).body());
          seen.add(get(path, "x-api-key", credential).body());
          seen.add(get(path, "x_api_key", credential).body());
        }
      }
      // values Pekko's Authorization parser refuses must not be logged as illegal headers
      seen.add(get("/x", "Authorization", "Bearer " + KEY_BAD + " trailing, \"q").body());
      seen.add(get("/x", "Authorization", "Bearer, " + KEY_BAD).body());
      seen.add(get("/x", "Authorization", "Basic " + KEY_BAD + "==, x=\"").body());
      seen.add(get("/x", "Authorization", "Bearer " + KEY_BAD + "x".repeat(9000)).body());
      seen.add(get("/x", "x-api-key", KEY_BAD + "x".repeat(9000)).body());
      seen.add(gw.adminGet("/metrics").body());
      seen.add(gw.adminGet("/config").body());
      seen.add(gw.adminPost("/reload", GatewayFixture.LISTENERS + config("")).body());
      await().until(() -> logs.list.stream().anyMatch(e -> e.getLoggerName().endsWith("access")));
    } finally {
      root.detachAppender(logs);
      root.setLevel(old);
    }
    for (ILoggingEvent e : logs.list) {
      seen.add(e.getFormattedMessage());
      if (e.getThrowableProxy() != null) {
        seen.add(ThrowableProxyUtil.asString(e.getThrowableProxy()));
      }
    }
    String secretPart = validJwt.substring(validJwt.lastIndexOf('.') + 1);
    for (String text : seen) {
      assertThat(text)
          .doesNotContain(KEY_A, KEY_FILE, KEY_BAD, TestTokens.SECRET, secretPart)
          .doesNotContain(hsJwt.substring(hsJwt.lastIndexOf('.') + 1))
          .doesNotContain(badJwt.substring(badJwt.lastIndexOf('.') + 1));
    }
    String config = gw.adminGet("/config").body();
    assertThat(config).contains("<redacted>").doesNotContain("sha256:");
  }
}
