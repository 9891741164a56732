package dev.kumaforge.gateway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.kumaforge.common.time.NanoClock;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * Verifies JWTs of one provider: size, algorithm pinned per key type (so {@code alg: none} and an
 * HS256 token signed with an RSA public key never verify), signature, {@code iss}, {@code aud},
 * {@code exp} (always required), {@code nbf}, required claims and the consumer claim. Optionally
 * remembers verified tokens by their SHA-256 so a repeated token costs a digest and the time checks
 * instead of a signature verification.
 *
 * <pre>{@code
 * JwtValidator v = JwtValidator.hmac(provider, secret, maxBytes, clock);
 * v.validate(token).thenAccept(o -> o.consumer()); // or o.failure()
 * }</pre>
 */
public final class JwtValidator {
  /** What a consumer claim may look like (it becomes a header value and a metric label). */
  static final Pattern CONSUMER_NAME = Pattern.compile("[A-Za-z0-9_.@:/+-]{1,128}");

  /**
   * A verified token's consumer name, or why the token is refused.
   *
   * @param consumer consumer claim value, or null
   * @param failure the failure, or null
   */
  public record Outcome(String consumer, AuthFailure failure) {
    static Outcome fail(AuthFailure f) {
      return new Outcome(null, f);
    }
  }

  private static final Duration HMAC_CACHE_TTL = Duration.ofMinutes(5);

  private final AuthenticationConfig.JwtProvider provider;
  private final byte[] secret;
  private final JwksSource jwks;
  private final long maxBytes;
  private final NanoClock clock;
  private final List<JWSAlgorithm> allowed;
  private final Cache<String, Verified> verified;

  /** A token that verified: what the cache keeps (by the token's SHA-256, never the token). */
  private record Verified(String consumer, long expMillis, long nbfMillis) {}

  private JwtValidator(
      AuthenticationConfig.JwtProvider provider,
      byte[] secret,
      JwksSource jwks,
      long maxBytes,
      NanoClock clock,
      long cacheSize) {
    this.provider = provider;
    this.secret = secret;
    this.jwks = jwks;
    this.maxBytes = maxBytes;
    this.clock = clock;
    this.allowed = provider.algorithms().stream().map(a -> JWSAlgorithm.parse(a.name())).toList();
    Duration ttl = jwks == null ? HMAC_CACHE_TTL : jwks.config().cacheTtl();
    this.verified =
        cacheSize <= 0
            ? null
            : Caffeine.newBuilder()
                .maximumSize(cacheSize)
                .expireAfterWrite(ttl)
                .ticker(clock::nanoTime)
                .build();
  }

  /** A validator of HS256 tokens signed with {@code secret} (at least 32 bytes), no cache. */
  public static JwtValidator hmac(
      AuthenticationConfig.JwtProvider provider, byte[] secret, long maxBytes, NanoClock clock) {
    return hmac(provider, secret, maxBytes, clock, 0);
  }

  /**
   * A validator of HS256 tokens signed with {@code secret} (at least 32 bytes) that remembers up to
   * {@code cacheSize} verified tokens for 5 minutes.
   */
  public static JwtValidator hmac(
      AuthenticationConfig.JwtProvider provider,
      byte[] secret,
      long maxBytes,
      NanoClock clock,
      long cacheSize) {
    if (secret.length < 32) {
      throw new IllegalArgumentException("an HS256 secret needs at least 32 bytes");
    }
    return new JwtValidator(provider, secret.clone(), null, maxBytes, clock, cacheSize);
  }

  /** A validator of RS256/ES256 tokens verified with keys from {@code jwks}, no cache. */
  public static JwtValidator jwks(
      AuthenticationConfig.JwtProvider provider, JwksSource jwks, long maxBytes, NanoClock clock) {
    return jwks(provider, jwks, maxBytes, clock, 0);
  }

  /**
   * A validator of RS256/ES256 tokens verified with keys from {@code jwks} that remembers up to
   * {@code cacheSize} verified tokens for the JWKS {@code cacheTtl}, so a key removed from the set
   * stops verifying cached tokens about as late as it stops verifying new ones.
   */
  public static JwtValidator jwks(
      AuthenticationConfig.JwtProvider provider,
      JwksSource jwks,
      long maxBytes,
      NanoClock clock,
      long cacheSize) {
    return new JwtValidator(provider, null, jwks, maxBytes, clock, cacheSize);
  }

  /** The provider. */
  public AuthenticationConfig.JwtProvider provider() {
    return provider;
  }

  /** The key source, or null for HS256. */
  JwksSource jwksSource() {
    return jwks;
  }

  /**
   * The {@code iss} of {@code token} without verifying anything, or null when it does not parse.
   * Used only to pick the provider that then verifies the token.
   */
  static String unverifiedIssuer(String token) {
    try {
      return SignedJWT.parse(token).getJWTClaimsSet().getIssuer();
    } catch (ParseException e) {
      return null;
    }
  }

  /** Verifies {@code token}; completes at once unless keys must be fetched. */
  public CompletionStage<Outcome> validate(String token) {
    if (token.length() > maxBytes) {
      return done(Outcome.fail(AuthFailure.TOKEN_TOO_LARGE));
    }
    String digest = null;
    if (verified != null) {
      digest = digest(token);
      Verified hit = verified.getIfPresent(digest);
      if (hit != null) {
        AuthFailure time = checkTime(hit.expMillis(), hit.nbfMillis());
        return done(time == null ? new Outcome(hit.consumer(), null) : Outcome.fail(time));
      }
    }
    String key = digest;
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      // alg none is not a JWS header: it ends here too
      return done(Outcome.fail(AuthFailure.BAD_TOKEN));
    }
    JWSHeader header = jwt.getHeader();
    if (!allowed.contains(header.getAlgorithm())) {
      return done(Outcome.fail(AuthFailure.BAD_ALGORITHM));
    }
    if (secret != null) {
      try {
        return done(remember(key, claims, verify(jwt, claims, List.of(new MACVerifier(secret)))));
      } catch (JOSEException e) {
        return done(Outcome.fail(AuthFailure.BAD_SIGNATURE));
      }
    }
    String kid = header.getKeyID();
    CompletableFuture<Outcome> result = new CompletableFuture<>();
    jwks.keys(false)
        .thenCompose(
            keys -> {
              List<JWSVerifier> verifiers = verifiers(keys, header.getAlgorithm(), kid);
              if (!verifiers.isEmpty()) {
                return CompletableFuture.completedFuture(verifiers);
              }
              boolean none = keys.getKeys().isEmpty();
              return jwks.keys(!none)
                  .thenApply(fresh -> verifiers(fresh, header.getAlgorithm(), kid));
            })
        .whenComplete(
            (verifiers, err) -> {
              if (err != null || verifiers.isEmpty()) {
                result.complete(
                    Outcome.fail(
                        err == null && jwks.hasKeys()
                            ? AuthFailure.UNKNOWN_KEY_ID
                            : AuthFailure.KEYS_UNAVAILABLE));
              } else {
                result.complete(remember(key, claims, verify(jwt, claims, verifiers)));
              }
            });
    return result;
  }

  /**
   * Verifiers for the keys of {@code keys} that fit {@code alg}: RS256 only RSA keys of 2048+ bits,
   * ES256 only P-256 EC keys; a key's own {@code alg}, if any, must equal it.
   */
  private static List<JWSVerifier> verifiers(JWKSet keys, JWSAlgorithm alg, String kid) {
    List<JWSVerifier> out = new ArrayList<>(1);
    for (JWK k : keys.getKeys()) {
      if ((kid != null && !kid.equals(k.getKeyID()))
          || (k.getKeyUse() != null && !KeyUse.SIGNATURE.equals(k.getKeyUse()))
          || (k.getAlgorithm() != null && !alg.getName().equals(k.getAlgorithm().getName()))) {
        continue;
      }
      try {
        if (JWSAlgorithm.RS256.equals(alg) && k instanceof RSAKey rsa && rsa.size() >= 2048) {
          out.add(new RSASSAVerifier(rsa));
        } else if (JWSAlgorithm.ES256.equals(alg)
            && k instanceof ECKey ec
            && Curve.P_256.equals(ec.getCurve())) {
          out.add(new ECDSAVerifier(ec));
        }
      } catch (JOSEException e) {
        // an unusable key verifies nothing
      }
    }
    return out;
  }

  private Outcome verify(SignedJWT jwt, JWTClaimsSet claims, List<JWSVerifier> verifiers) {
    boolean ok = false;
    for (JWSVerifier v : verifiers) {
      try {
        if (jwt.verify(v)) {
          ok = true;
          break;
        }
      } catch (JOSEException | IllegalStateException e) {
        // not verified by this key
      }
    }
    if (!ok) {
      return Outcome.fail(AuthFailure.BAD_SIGNATURE);
    }
    return checkClaims(claims);
  }

  private Outcome remember(String digest, JWTClaimsSet claims, Outcome o) {
    if (digest != null && o.failure() == null) {
      Date nbf = claims.getNotBeforeTime();
      verified.put(
          digest,
          new Verified(
              o.consumer(),
              claims.getExpirationTime().getTime(),
              nbf == null ? Long.MIN_VALUE : nbf.getTime()));
    }
    return o;
  }

  private AuthFailure checkTime(long expMillis, long nbfMillis) {
    long now = clock.currentTimeMillis();
    long skew = provider.clockSkew().toMillis();
    if (now - skew >= expMillis) {
      return AuthFailure.EXPIRED;
    }
    if (nbfMillis != Long.MIN_VALUE && now + skew < nbfMillis) {
      return AuthFailure.NOT_YET_VALID;
    }
    return null;
  }

  private static String digest(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(token.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** The claim checks, after the signature has been verified. */
  Outcome checkClaims(JWTClaimsSet claims) {
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      return Outcome.fail(AuthFailure.EXPIRED);
    }
    Date nbf = claims.getNotBeforeTime();
    AuthFailure time = checkTime(exp.getTime(), nbf == null ? Long.MIN_VALUE : nbf.getTime());
    if (time != null) {
      return Outcome.fail(time);
    }
    if (!provider.issuer().equals(claims.getIssuer())) {
      return Outcome.fail(AuthFailure.UNKNOWN_ISSUER);
    }
    if (!provider.audiences().isEmpty()
        && claims.getAudience().stream().noneMatch(provider.audiences()::contains)) {
      return Outcome.fail(AuthFailure.BAD_AUDIENCE);
    }
    for (String name : provider.requiredClaims()) {
      if (claims.getClaim(name) == null) {
        return Outcome.fail(AuthFailure.BAD_CLAIMS);
      }
    }
    Object consumer = claims.getClaim(provider.consumerClaim());
    if (!(consumer instanceof String s) || !CONSUMER_NAME.matcher(s).matches()) {
      return Outcome.fail(AuthFailure.BAD_CLAIMS);
    }
    return new Outcome(s, null);
  }

  private static CompletionStage<Outcome> done(Outcome o) {
    return CompletableFuture.completedFuture(o);
  }
}
