package dev.kumaforge.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.function.UnaryOperator;

/** Test keys and tokens minted with nimbus: RSA and EC JWKs, an HS256 secret, claim builders. */
public final class TestTokens {
  /** The HS256 secret (32+ bytes). */
  public static final String SECRET = "forge-test-hs256-secret-0123456789abcdef";

  /** Issuer of the test providers. */
  public static final String ISSUER = "https://issuer.test";

  /** Audience of the test providers. */
  public static final String AUDIENCE = "forge-api";

  /** An RSA 2048 key with kid {@code rsa-1}. */
  public static final RSAKey RSA = rsa("rsa-1");

  /** A P-256 key with kid {@code ec-1}. */
  public static final ECKey EC = ec("ec-1");

  private TestTokens() {}

  /** A fresh RSA 2048 signing key. */
  public static RSAKey rsa(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A fresh P-256 signing key. */
  public static ECKey ec(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public JWKS JSON of {@code keys}. */
  public static String jwks(JWK... keys) {
    return new JWKSet(Arrays.asList(keys)).toPublicJWKSet().toString();
  }

  /** Valid claims at {@code now}: iss, aud, sub, exp in 5 minutes, nbf and iat now. */
  public static JWTClaimsSet.Builder claims(String sub, Instant now) {
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(List.of(AUDIENCE))
        .subject(sub)
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)));
  }

  /** A token signed with {@code key} (RS256 for RSA, ES256 for EC, with its kid). */
  public static String sign(JWK key, JWTClaimsSet claims) {
    try {
      if (key instanceof RSAKey r) {
        return sign(JWSAlgorithm.RS256, r.getKeyID(), new RSASSASigner(r), claims);
      }
      return sign(JWSAlgorithm.ES256, key.getKeyID(), new ECDSASigner((ECKey) key), claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An HS256 token signed with {@code secret}, optionally claiming {@code kid}. */
  public static String hs256(byte[] secret, String kid, JWTClaimsSet claims) {
    try {
      return sign(JWSAlgorithm.HS256, kid, new MACSigner(secret), claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An HS256 token signed with {@link #SECRET}. */
  public static String hs256(JWTClaimsSet claims) {
    return hs256(SECRET.getBytes(StandardCharsets.UTF_8), null, claims);
  }

  /**
   * The HS/RS confusion attack: HS256 signed with the RSA public key's encoded bytes, naming the
   * RSA key's kid.
   */
  public static String hs256WithPublicKey(RSAKey key, JWTClaimsSet claims) {
    try {
      return hs256(key.toRSAPublicKey().getEncoded(), key.getKeyID(), claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsecured token ({@code alg: none}). */
  public static String none(JWTClaimsSet claims) {
    return new PlainJWT(claims).serialize();
  }

  /** {@code token} with one signature character changed. */
  public static String tamper(String token) {
    int i = token.lastIndexOf('.') + 5;
    char c = token.charAt(i) == 'A' ? 'B' : 'A';
    return token.substring(0, i) + c + token.substring(i + 1);
  }

  /** Claims changed by {@code edit}. */
  public static JWTClaimsSet with(
      JWTClaimsSet.Builder b, UnaryOperator<JWTClaimsSet.Builder> edit) {
    return edit.apply(b).build();
  }

  private static String sign(JWSAlgorithm alg, String kid, JWSSigner signer, JWTClaimsSet claims)
      throws JOSEException {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(alg).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
    jwt.sign(signer);
    return jwt.serialize();
  }
}
