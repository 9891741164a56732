package dev.kumaforge.gateway.auth;

import static dev.kumaforge.gateway.auth.TestTokens.EC;
import static dev.kumaforge.gateway.auth.TestTokens.RSA;
import static dev.kumaforge.gateway.auth.TestTokens.claims;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.kumaforge.common.time.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JWT checks of RELIABILITY 21 without sockets: keys from a JWKS file, a manual clock. */
class JwtValidatorTest {
  @TempDir Path dir;
  ManualClock clock = new ManualClock();
  Instant now;
  Path jwksFile;
  JwtValidator rs;
  JwtValidator hs;

  static AuthenticationConfig.JwtProvider provider(
      String secretFile, AuthenticationConfig.Jwks jwks, List<String> required) {
    return new AuthenticationConfig.JwtProvider(
        "p",
        TestTokens.ISSUER,
        List.of(TestTokens.AUDIENCE),
        secretFile,
        jwks,
        null,
        Duration.ofSeconds(30),
        required,
        null,
        null);
  }

  @BeforeEach
  void setUp() throws Exception {
    now = Instant.ofEpochMilli(clock.currentTimeMillis());
    jwksFile = dir.resolve("jwks.json");
    Files.writeString(jwksFile, TestTokens.jwks(RSA, EC));
    AuthenticationConfig.Jwks jwks =
        new AuthenticationConfig.Jwks(
            jwksFile.toString(), null, Duration.ofMinutes(5), Duration.ofSeconds(10), null);
    rs =
        JwtValidator.jwks(
            provider(null, jwks, List.of("scope")), new JwksSource(jwks, clock), 8192, clock);
    hs =
        JwtValidator.hmac(
            provider("unused", null, List.of()),
            TestTokens.SECRET.getBytes(StandardCharsets.UTF_8),
            8192,
            clock);
  }

  private AuthFailure check(JwtValidator v, String token) {
    JwtValidator.Outcome o = v.validate(token).toCompletableFuture().join();
    return o.failure();
  }

  private JWTClaimsSet valid(String sub) {
    return claims(sub, now).claim("scope", "chat").build();
  }

  @Test
  void acceptsRs256Es256AndHs256AndNamesTheConsumer() {
    JwtValidator.Outcome o =
        rs.validate(TestTokens.sign(RSA, valid("team-a"))).toCompletableFuture().join();
    assertThat(o).isEqualTo(new JwtValidator.Outcome("team-a", null));
    assertThat(check(rs, TestTokens.sign(EC, valid("team-b")))).isNull();
    assertThat(check(hs, TestTokens.hs256(valid("team-c")))).isNull();
  }

  @Test
  void refusesAlgNoneConfusionAndBadSignatures() {
    assertThat(check(rs, TestTokens.none(valid("x")))).isEqualTo(AuthFailure.BAD_TOKEN);
    assertThat(check(hs, TestTokens.none(valid("x")))).isEqualTo(AuthFailure.BAD_TOKEN);
    // HS256 signed with the RSA public key: HS256 is not an algorithm of a JWKS provider
    assertThat(check(rs, TestTokens.hs256WithPublicKey(RSA, valid("x"))))
        .isEqualTo(AuthFailure.BAD_ALGORITHM);
    // and an RS256 token is not one of an HS256 provider
    assertThat(check(hs, TestTokens.sign(RSA, valid("x")))).isEqualTo(AuthFailure.BAD_ALGORITHM);
    assertThat(check(rs, TestTokens.tamper(TestTokens.sign(RSA, valid("x")))))
        .isEqualTo(AuthFailure.BAD_SIGNATURE);
    assertThat(check(hs, TestTokens.tamper(TestTokens.hs256(valid("x")))))
        .isEqualTo(AuthFailure.BAD_SIGNATURE);
    RSAKey stranger = TestTokens.rsa("rsa-1");
    assertThat(check(rs, TestTokens.sign(stranger, valid("x"))))
        .as("same kid, other key")
        .isEqualTo(AuthFailure.BAD_SIGNATURE);
    assertThat(check(rs, "eyJhbGciOiJSUzI1NiJ9.bm90anNvbg.c2ln")).isEqualTo(AuthFailure.BAD_TOKEN);
  }

  @Test
  void checksTimeWithSkewIssuerAudienceAndClaims() {
    JWTClaimsSet.Builder base = claims("x", now).claim("scope", "chat");
    Date inSkew = Date.from(now.minusSeconds(20));
    Date beyondSkew = Date.from(now.minusSeconds(31));
    assertThat(check(rs, TestTokens.sign(RSA, base.expirationTime(inSkew).build()))).isNull();
    assertThat(check(rs, TestTokens.sign(RSA, base.expirationTime(beyondSkew).build())))
        .isEqualTo(AuthFailure.EXPIRED);
    assertThat(check(rs, TestTokens.sign(RSA, base.expirationTime(null).build())))
        .as("exp is always required")
        .isEqualTo(AuthFailure.EXPIRED);
    JWTClaimsSet.Builder b2 = claims("x", now).claim("scope", "chat");
    assertThat(
            check(
                rs, TestTokens.sign(RSA, b2.notBeforeTime(Date.from(now.plusSeconds(60))).build())))
        .isEqualTo(AuthFailure.NOT_YET_VALID);
    assertThat(
            check(
                rs, TestTokens.sign(RSA, b2.notBeforeTime(Date.from(now.plusSeconds(20))).build())))
        .isNull();
    assertThat(check(rs, TestTokens.sign(RSA, claims("x", now).issuer("https://evil").build())))
        .isEqualTo(AuthFailure.UNKNOWN_ISSUER);
    assertThat(
            check(
                rs,
                TestTokens.sign(
                    RSA, claims("x", now).claim("scope", "c").audience("other").build())))
        .isEqualTo(AuthFailure.BAD_AUDIENCE);
    assertThat(check(rs, TestTokens.sign(RSA, claims("x", now).build())))
        .as("required claim scope missing")
        .isEqualTo(AuthFailure.BAD_CLAIMS);
    assertThat(check(rs, TestTokens.sign(RSA, claims("a b", now).claim("scope", "c").build())))
        .as("consumer claim not a name")
        .isEqualTo(AuthFailure.BAD_CLAIMS);
    clock.advance(Duration.ofMinutes(6));
    assertThat(check(hs, TestTokens.hs256(claims("x", now).build())))
        .isEqualTo(AuthFailure.EXPIRED);
  }

  @Test
  void refusesLargeTokensBeforeParsing() {
    String big =
        TestTokens.sign(
            RSA, claims("x", now).claim("scope", "c").claim("pad", "p".repeat(9000)).build());
    assertThat(check(rs, big)).isEqualTo(AuthFailure.TOKEN_TOO_LARGE);
    assertThat(check(rs, "x".repeat(64 * 1024))).isEqualTo(AuthFailure.TOKEN_TOO_LARGE);
  }

  @Test
  void unknownKidRefetchesAtMostEveryRefreshMinInterval() throws Exception {
    assertThat(check(rs, TestTokens.sign(RSA, valid("x")))).isNull();
    RSAKey rotated = TestTokens.rsa("rsa-2");
    String token = TestTokens.sign(rotated, valid("x"));
    // rotation not published yet: one refetch, nothing found
    assertThat(check(rs, token)).isEqualTo(AuthFailure.UNKNOWN_KEY_ID);
    Files.writeString(jwksFile, TestTokens.jwks(RSA, rotated));
    // within refreshMinInterval (10s) of the last fetch: no refetch, still unknown
    assertThat(check(rs, token)).isEqualTo(AuthFailure.UNKNOWN_KEY_ID);
    clock.advance(Duration.ofSeconds(11));
    assertThat(check(rs, token)).as("new kid picked up").isNull();
    // the old key is gone once the set no longer lists it and the cache expires
    Files.writeString(jwksFile, TestTokens.jwks(rotated));
    clock.advance(Duration.ofMinutes(6));
    assertThat(
            check(
                rs,
                TestTokens.sign(
                    RSA,
                    claims("x", Instant.ofEpochMilli(clock.currentTimeMillis()))
                        .claim("scope", "c")
                        .build())))
        .isEqualTo(AuthFailure.UNKNOWN_KEY_ID);
  }

  @Test
  void keysThatCannotBeRefetchedAfterTheirTtlAreDropped() throws Exception {
    assertThat(check(rs, TestTokens.sign(RSA, valid("x")))).isNull();
    Files.delete(jwksFile);
    clock.advance(Duration.ofMinutes(4));
    assertThat(check(rs, TestTokens.sign(RSA, valid("x")))).as("cache still fresh").isNull();
    clock.advance(Duration.ofMinutes(2));
    now = Instant.ofEpochMilli(clock.currentTimeMillis());
    assertThat(check(rs, TestTokens.sign(RSA, valid("x"))))
        .as("expired and the refetch failed: fail closed")
        .isEqualTo(AuthFailure.KEYS_UNAVAILABLE);
    Files.writeString(jwksFile, TestTokens.jwks(RSA));
    clock.advance(Duration.ofSeconds(11));
    assertThat(check(rs, TestTokens.sign(RSA, valid("x")))).as("recovered").isNull();
  }

  @Test
  void anExpiredCacheIsRefetchedEvenWithinRefreshMinInterval() throws Exception {
    AuthenticationConfig.Jwks jwks =
        new AuthenticationConfig.Jwks(
            jwksFile.toString(), null, Duration.ofSeconds(1), Duration.ofSeconds(10), null);
    JwtValidator v =
        JwtValidator.jwks(
            provider(null, jwks, List.of()), new JwksSource(jwks, clock), 8192, clock);
    assertThat(check(v, TestTokens.sign(RSA, valid("x")))).isNull();
    RSAKey rotated = TestTokens.rsa("rsa-3");
    Files.writeString(jwksFile, TestTokens.jwks(rotated));
    clock.advance(Duration.ofSeconds(2));
    assertThat(check(v, TestTokens.sign(rotated, valid("x")))).isNull();
    assertThat(check(v, TestTokens.sign(RSA, valid("x")))).isEqualTo(AuthFailure.UNKNOWN_KEY_ID);
  }

  @Test
  void theVerifiedTokenCacheStillChecksTimeAndForgetsRemovedKeys() throws Exception {
    AuthenticationConfig.Jwks jwks =
        new AuthenticationConfig.Jwks(
            jwksFile.toString(), null, Duration.ofMinutes(5), Duration.ofSeconds(10), null);
    JwtValidator v =
        JwtValidator.jwks(
            provider(null, jwks, List.of()), new JwksSource(jwks, clock), 8192, clock, 100);
    String token =
        TestTokens.sign(
            EC, claims("x", now).expirationTime(Date.from(now.plusSeconds(60))).build());
    assertThat(check(v, token)).isNull();
    assertThat(check(v, token)).as("cache hit").isNull();
    assertThat(check(v, TestTokens.tamper(token))).isEqualTo(AuthFailure.BAD_SIGNATURE);
    clock.advance(Duration.ofSeconds(91));
    assertThat(check(v, token)).as("exp + skew passed on a hit").isEqualTo(AuthFailure.EXPIRED);

    now = Instant.ofEpochMilli(clock.currentTimeMillis());
    String longLived =
        TestTokens.sign(
            EC, claims("y", now).expirationTime(Date.from(now.plusSeconds(3600))).build());
    assertThat(check(v, longLived)).isNull();
    Files.writeString(jwksFile, TestTokens.jwks(RSA));
    clock.advance(Duration.ofMinutes(4));
    assertThat(check(v, longLived)).as("cached while the key set is cached").isNull();
    clock.advance(Duration.ofMinutes(2));
    assertThat(
            check(
                v,
                TestTokens.sign(
                    RSA, claims("z", Instant.ofEpochMilli(clock.currentTimeMillis())).build())))
        .isNull();
    assertThat(check(v, longLived)).as("key removed").isEqualTo(AuthFailure.UNKNOWN_KEY_ID);
  }

  @Test
  void missingJwksFailsClosed() throws Exception {
    Files.delete(jwksFile);
    AuthenticationConfig.Jwks jwks =
        new AuthenticationConfig.Jwks(jwksFile.toString(), null, null, null, null);
    JwtValidator v =
        JwtValidator.jwks(
            provider(null, jwks, List.of()), new JwksSource(jwks, clock), 8192, clock);
    assertThat(check(v, TestTokens.sign(RSA, valid("x")))).isEqualTo(AuthFailure.KEYS_UNAVAILABLE);
  }
}
