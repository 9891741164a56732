package dev.kumaforge.bench.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.auth.AuthResult;
import dev.kumaforge.gateway.auth.Authenticator;
import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.gateway.consumer.ApiKeyHash;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What authenticating one request costs in {@link Authenticator#authenticate}: a route without
 * authentication ({@code none}), an API key among 100 consumers (verified once, then found by its
 * digest: {@code apiKey}), and a JWT ({@code hs256}, {@code rs256} with an RSA 2048 key, {@code
 * es256} with a P-256 key; keys from a JWKS file, cached), verified by signature and claims on
 * every request with {@code cacheSize=0}, found by its SHA-256 with the verified-token cache.
 *
 * <p>How to run (from your checkout):
 *
 * <pre>{@code
 * ./mvnw -B -q -pl microbenchmarks -am package -DskipTests
 * java -jar microbenchmarks/target/benchmarks.jar AuthBench
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(1)
public class AuthBench {
  static final String ISSUER = "https://issuer.bench";
  static final String SECRET = "bench-hs256-secret-0123456789abcdef0123";

  /** Verified JWTs remembered ({@code authentication.jwt.cacheSize}); 0 verifies every time. */
  @Param({"0", "10000"})
  public long cacheSize;

  Authenticator auth;
  HttpRequest anonymous;
  HttpRequest apiKey;
  HttpRequest hs256;
  HttpRequest rs256;
  HttpRequest es256;

  /** Builds the keys, the tokens (valid for a day) and the authenticator once per trial. */
  @Setup
  public void setUp() throws Exception {
    Path dir = Files.createTempDirectory("forge-auth-bench");
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa").generate();
    ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, new JWKSet(List.of(rsa, ec)).toPublicJWKSet().toString());
    Path secret = dir.resolve("hs.secret");
    Files.writeString(secret, SECRET);
    StringBuilder consumers = new StringBuilder("consumers:\n");
    for (int i = 0; i < 100; i++) {
      consumers
          .append("  - {name: c")
          .append(i)
          .append(", apiKeys: [\"")
          .append(ApiKeyHash.hash("sk-bench-" + i))
          .append("\"]}\n");
    }
    String yaml =
        """
        listeners: {public: {address: "127.0.0.1:0"}, admin: {address: "127.0.0.1:0"}}
        backends: [{name: b, endpoints: [{address: "127.0.0.1:1"}]}]
        routes:
          - {name: open, matches: [{path: {type: PathPrefix, value: /open}}], backendRefs: [{name: b}]}
          - {name: auth, backendRefs: [{name: b}], authentication: {}}
        authentication:
          jwt:
            cacheSize: %d
            providers:
              - {name: rs, issuer: "%s", audiences: [bench], jwks: {file: "%s"}}
              - {name: hs, issuer: "%s/hs", audiences: [bench], secretFile: "%s"}
        """
                .formatted(cacheSize, ISSUER, jwks, ISSUER, secret)
            + consumers;
    auth = Authenticator.build(GatewayConfig.parse(yaml, "bench"), NanoClock.system(), null);
    anonymous = HttpRequest.create("/open/x");
    apiKey = bearer("sk-bench-99");
    hs256 =
        bearer(
            sign(
                JWSAlgorithm.HS256,
                null,
                new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)),
                ISSUER + "/hs"));
    rs256 = bearer(sign(JWSAlgorithm.RS256, "rsa", new RSASSASigner(rsa), ISSUER));
    es256 = bearer(sign(JWSAlgorithm.ES256, "ec", new ECDSASigner(ec), ISSUER));
    for (HttpRequest r : List.of(apiKey, hs256, rs256, es256)) {
      AuthResult result =
          auth.authenticate("auth", r).toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (result.identity() == null) {
        throw new IllegalStateException("not authenticated: " + result.failure());
      }
    }
  }

  private static HttpRequest bearer(String token) {
    return HttpRequest.create("/x").addHeader(RawHeader.create("Authorization", "Bearer " + token));
  }

  private static String sign(JWSAlgorithm alg, String kid, JWSSigner signer, String issuer)
      throws JOSEException {
    Instant now = Instant.now();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .audience("bench")
            .subject("c7")
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(86_400)))
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  private AuthResult run(String route, HttpRequest r) {
    return auth.authenticate(route, r).toCompletableFuture().join();
  }

  /** A route without authentication: the lookup only. */
  @Benchmark
  public AuthResult none() {
    return run("open", anonymous);
  }

  /** An API key already verified once: header scan, SHA-256 digest, cache hit. */
  @Benchmark
  public AuthResult apiKey() {
    return run("auth", apiKey);
  }

  /** An HS256 JWT: parse, HMAC-SHA256, claims. */
  @Benchmark
  public AuthResult hs256() {
    return run("auth", hs256);
  }

  /** An RS256 JWT (RSA 2048): parse, RSA verify, claims. */
  @Benchmark
  public AuthResult rs256() {
    return run("auth", rs256);
  }

  /** An ES256 JWT (P-256): parse, ECDSA verify, claims. */
  @Benchmark
  public AuthResult es256() {
    return run("auth", es256);
  }
}
