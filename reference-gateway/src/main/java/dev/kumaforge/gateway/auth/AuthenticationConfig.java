package dev.kumaforge.gateway.auth;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.common.units.DataSize;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The top-level {@code authentication} section: where API keys and JWT verification keys come from.
 * Routes opt in with {@link RouteAuthentication}; every key is documented in {@code
 * reference.yaml}.
 *
 * @param apiKeys API keys beyond {@code consumers[].apiKeys}, or null
 * @param jwt JWT providers, or null
 */
public record AuthenticationConfig(ApiKeys apiKeys, Jwt jwt) implements Validatable {
  /** Default largest accepted JWT ({@code authentication.jwt.maxTokenSize}). */
  public static final DataSize DEFAULT_MAX_TOKEN_SIZE = DataSize.ofBytes(8 * 1024);

  public AuthenticationConfig {
    apiKeys = apiKeys == null ? new ApiKeys(null) : apiKeys;
    jwt = jwt == null ? new Jwt(null, null, null) : jwt;
  }

  @Override
  public void validate(Validator v) {
    Validator jv = v.at("jwt");
    jv.check(
        jwt.maxTokenSize().bytes() >= 256 && jwt.maxTokenSize().bytes() <= 1 << 20,
        "maxTokenSize",
        jwt.maxTokenSize(),
        "256B to 1MiB");
    jv.check(jwt.cacheSize() >= 0, "cacheSize", jwt.cacheSize(), ">= 0");
    Set<String> names = new HashSet<>();
    Set<String> issuers = new HashSet<>();
    jv.each(
        "providers",
        jwt.providers(),
        (pv, p) -> {
          p.validate(pv);
          if (p.name() != null) {
            pv.check(names.add(p.name()), "name", p.name(), "a unique provider name");
          }
          if (p.issuer() != null) {
            pv.check(issuers.add(p.issuer()), "issuer", p.issuer(), "a unique issuer");
          }
        });
  }

  /**
   * API keys kept in a file, so they can be rotated without editing the config.
   *
   * @param file path of a key file (one {@code <consumer> <sha256:salt:hash>} per line), or null
   */
  public record ApiKeys(String file) {}

  /**
   * JWT settings.
   *
   * @param maxTokenSize larger tokens are refused before parsing (default 8KiB)
   * @param cacheSize verified tokens remembered per provider (default 10000, 0: off)
   * @param providers token issuers; a token is verified by the provider whose {@code issuer} equals
   *     its {@code iss} claim
   */
  public record Jwt(DataSize maxTokenSize, Long cacheSize, List<JwtProvider> providers) {
    public Jwt {
      maxTokenSize = maxTokenSize == null ? DEFAULT_MAX_TOKEN_SIZE : maxTokenSize;
      cacheSize = cacheSize == null ? 10_000L : cacheSize;
      providers =
          providers == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(providers));
    }
  }

  /** Signature algorithms a provider may accept. */
  public enum Algorithm {
    HS256,
    RS256,
    ES256
  }

  /**
   * One JWT issuer (like Envoy's {@code jwt_authn} provider).
   *
   * @param name unique provider name
   * @param issuer required {@code iss} value
   * @param audiences accepted {@code aud} values; empty: not checked
   * @param secretFile file holding the HS256 secret (at least 32 bytes), or null
   * @param jwks JSON Web Key Set for RS256/ES256, or null
   * @param algorithms accepted algorithms (default HS256 with secretFile, RS256 and ES256 with
   *     jwks)
   * @param clockSkew tolerance for exp and nbf (default 30s)
   * @param requiredClaims claims that must be present besides exp
   * @param consumerClaim claim naming the consumer (default sub)
   * @param requireConsumer whether the claim must name a configured consumer (default false)
   */
  public record JwtProvider(
      String name,
      String issuer,
      List<String> audiences,
      String secretFile,
      Jwks jwks,
      List<Algorithm> algorithms,
      Duration clockSkew,
      List<String> requiredClaims,
      String consumerClaim,
      Boolean requireConsumer)
      implements Validatable {
    public JwtProvider {
      audiences = audiences == null ? List.of() : List.copyOf(audiences);
      requiredClaims = requiredClaims == null ? List.of() : List.copyOf(requiredClaims);
      clockSkew = clockSkew == null ? Duration.ofSeconds(30) : clockSkew;
      consumerClaim = consumerClaim == null ? "sub" : consumerClaim;
      requireConsumer = requireConsumer != null && requireConsumer;
      if (algorithms == null) {
        algorithms =
            secretFile != null
                ? List.of(Algorithm.HS256)
                : List.of(Algorithm.RS256, Algorithm.ES256);
      } else {
        algorithms = List.copyOf(algorithms);
      }
    }

    @Override
    public void validate(Validator v) {
      if (v.required(name, "name")) {
        v.check(
            name.matches("[A-Za-z0-9_.-]+"), "name", "'" + name + "'", "letters, digits, _ . -");
      }
      v.required(issuer, "issuer");
      v.check(
          (secretFile == null) != (jwks == null),
          "secretFile",
          secretFile == null ? "missing, and no jwks" : "given together with jwks",
          "exactly one of secretFile (HS256) or jwks (RS256, ES256)");
      v.check(!algorithms.isEmpty(), "algorithms", "[]", "at least one algorithm");
      for (int i = 0; i < algorithms.size(); i++) {
        Algorithm a = algorithms.get(i);
        if (a == null) {
          v.error("algorithms[" + i + "]", "null (expected: HS256, RS256 or ES256)");
        } else if (secretFile != null) {
          v.check(
              a == Algorithm.HS256, "algorithms[" + i + "]", a, "HS256 (a secretFile provider)");
        } else if (jwks != null) {
          v.check(
              a != Algorithm.HS256,
              "algorithms[" + i + "]",
              a,
              "RS256 or ES256 (a jwks provider: HS256 needs a secretFile)");
        }
      }
      v.check(!clockSkew.isNegative(), "clockSkew", clockSkew, "a duration >= 0");
      v.check(clockSkew.compareTo(Duration.ofMinutes(10)) <= 0, "clockSkew", clockSkew, "<= 10m");
      v.check(!consumerClaim.isBlank(), "consumerClaim", "''", "a claim name such as sub");
      if (jwks != null) {
        jwks.validate(v.at("jwks"));
      }
    }
  }

  /**
   * Where a provider's JSON Web Key Set comes from, and how long it is cached.
   *
   * @param file a JWKS JSON file, or null
   * @param uri an http(s) URL serving the JWKS, or null
   * @param cacheTtl keys are fetched again after this long (default 5m)
   * @param refreshMinInterval a token with an unknown kid triggers a refetch at most this often
   *     (default 10s)
   * @param timeout connect and response timeout of one fetch (default 5s)
   */
  public record Jwks(
      String file, String uri, Duration cacheTtl, Duration refreshMinInterval, Duration timeout)
      implements Validatable {
    public Jwks {
      cacheTtl = cacheTtl == null ? Duration.ofMinutes(5) : cacheTtl;
      refreshMinInterval = refreshMinInterval == null ? Duration.ofSeconds(10) : refreshMinInterval;
      timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
    }

    @Override
    public void validate(Validator v) {
      v.check(
          (file == null) != (uri == null),
          "file",
          file == null ? "missing, and no uri" : "given together with uri",
          "exactly one of file or uri");
      if (uri != null) {
        v.check(isHttpUri(uri), "uri", "'" + uri + "'", "an http:// or https:// URL");
      }
      positive(v, cacheTtl, "cacheTtl");
      positive(v, refreshMinInterval, "refreshMinInterval");
      positive(v, timeout, "timeout");
    }

    private static boolean isHttpUri(String text) {
      try {
        URI u = new URI(text);
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        return (scheme.equals("http") || scheme.equals("https")) && u.getHost() != null;
      } catch (java.net.URISyntaxException e) {
        return false;
      }
    }
  }

  static void positive(Validator v, Duration d, String key) {
    v.check(!d.isNegative() && !d.isZero(), key, d, "a duration > 0");
  }
}
