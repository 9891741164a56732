package dev.kumaforge.gateway.auth;

import dev.kumaforge.common.config.ConfigError;
import dev.kumaforge.common.config.ConfigException;
import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.gateway.config.Route;
import dev.kumaforge.gateway.consumer.ConsumerConfig;
import dev.kumaforge.gateway.consumer.Consumers;
import dev.kumaforge.gateway.internal.ErrorResponses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * Authenticates requests for the routes of one config snapshot: API keys ({@code consumers[]} and
 * {@code authentication.apiKeys.file}) and JWTs ({@code authentication.jwt.providers}). Only the
 * exact header names {@code authorization} (scheme {@code Bearer}) and {@code x-api-key} carry
 * credentials; a bearer value shaped like a JWT ({@code eyJ...}, two dots) is verified as a JWT
 * when the route accepts JWTs, any other as an API key.
 *
 * <pre>{@code
 * AuthResult r = auth.authenticate("route-name", request).toCompletableFuture().join();
 * if (r.identity() != null) request = request.addAttribute(Authenticator.IDENTITY, r.identity());
 * }</pre>
 */
public final class Authenticator {
  /** The authenticated identity of a request, for filters after authentication. */
  public static final AttributeKey<Identity> IDENTITY =
      AttributeKey.create("forge-identity", Identity.class);

  private static final CompletableFuture<AuthResult> NOT_REQUIRED =
      CompletableFuture.completedFuture(AuthResult.NOT_REQUIRED);

  private final Map<String, RouteAuthentication> routes;
  private final Consumers consumers;
  private final Map<String, ConsumerConfig> byName;
  private final Map<String, JwtValidator> byIssuer;

  private Authenticator(
      Map<String, RouteAuthentication> routes,
      Consumers consumers,
      Map<String, ConsumerConfig> byName,
      Map<String, JwtValidator> byIssuer) {
    this.routes = routes;
    this.consumers = consumers;
    this.byName = byName;
    this.byIssuer = byIssuer;
  }

  /**
   * Compiles the authentication of {@code config}: reads the API key file and HS256 secrets, and
   * starts loading JWKS (a source whose settings did not change is taken over from {@code
   * previous}, with its cache). Throws a ConfigException naming every unreadable file.
   */
  public static Authenticator build(GatewayConfig config, NanoClock clock, Authenticator previous) {
    AuthenticationConfig auth =
        config.authentication() == null
            ? new AuthenticationConfig(null, null)
            : config.authentication();
    List<ConfigError> errors = new ArrayList<>();
    Map<String, List<String>> fileKeys = new LinkedHashMap<>();
    if (auth.apiKeys().file() != null) {
      fileKeys = ApiKeyFile.read(Path.of(auth.apiKeys().file()), errors);
    }
    Map<String, ConsumerConfig> byName = new LinkedHashMap<>();
    for (ConsumerConfig c : config.consumers()) {
      List<String> keys = new ArrayList<>(c.apiKeys());
      keys.addAll(fileKeys.getOrDefault(c.name(), List.of()));
      byName.put(c.name(), new ConsumerConfig(c.name(), keys, c.limits(), c.budget()));
    }
    fileKeys.forEach(
        (name, keys) -> byName.putIfAbsent(name, new ConsumerConfig(name, keys, null, null)));

    Map<String, JwtValidator> byIssuer = new HashMap<>();
    long maxBytes = auth.jwt().maxTokenSize().bytes();
    List<AuthenticationConfig.JwtProvider> providers = auth.jwt().providers();
    for (int i = 0; i < providers.size(); i++) {
      AuthenticationConfig.JwtProvider p = providers.get(i);
      if (p.secretFile() != null) {
        String path = "authentication.jwt.providers[" + i + "].secretFile";
        byte[] secret = readSecret(Path.of(p.secretFile()), path, errors);
        if (secret != null) {
          byIssuer.put(
              p.issuer(), JwtValidator.hmac(p, secret, maxBytes, clock, auth.jwt().cacheSize()));
        }
      } else {
        JwksSource source = reuse(previous, p.jwks());
        if (source == null) {
          source = new JwksSource(p.jwks(), clock);
          source.refresh();
        }
        byIssuer.put(
            p.issuer(), JwtValidator.jwks(p, source, maxBytes, clock, auth.jwt().cacheSize()));
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigException("authentication", errors);
    }
    Map<String, RouteAuthentication> routes = new HashMap<>();
    for (Route r : config.routes()) {
      if (r.authentication() != null) {
        routes.put(r.name(), r.authentication());
      } else if (r.llm()) {
        routes.put(r.name(), RouteAuthentication.LLM_DEFAULT);
      }
    }
    return new Authenticator(
        Map.copyOf(routes),
        new Consumers(List.copyOf(byName.values())),
        Map.copyOf(byName),
        Map.copyOf(byIssuer));
  }

  private static JwksSource reuse(Authenticator previous, AuthenticationConfig.Jwks jwks) {
    if (previous == null) {
      return null;
    }
    for (JwtValidator v : previous.byIssuer.values()) {
      if (v.jwksSource() != null && v.jwksSource().config().equals(jwks)) {
        return v.jwksSource();
      }
    }
    return null;
  }

  private static byte[] readSecret(Path file, String path, List<ConfigError> errors) {
    try {
      String text = Files.readString(file).strip();
      if (text.length() < 32) {
        errors.add(
            new ConfigError(
                path, "'" + file + "' holds " + text.length() + " bytes (expected: at least 32)"));
        return null;
      }
      return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      errors.add(
          new ConfigError(path, "cannot read '" + file + "': " + e.getClass().getSimpleName()));
      return null;
    }
  }

  /** The authentication of route {@code routeName}, or null when it has none. */
  public RouteAuthentication policy(String routeName) {
    return routes.get(routeName);
  }

  /** Authenticates {@code request} for route {@code routeName}; usually completes at once. */
  public CompletionStage<AuthResult> authenticate(String routeName, HttpRequest request) {
    RouteAuthentication policy = routes.get(routeName);
    if (policy == null) {
      return NOT_REQUIRED;
    }
    String bearer = null;
    String apiKey = null;
    int credentials = 0;
    for (HttpHeader h : request.getHeaders()) {
      String n = h.lowercaseName();
      if ("authorization".equals(n)) {
        credentials++;
        String v = h.value();
        bearer = v.regionMatches(true, 0, "Bearer ", 0, 7) ? v.substring(7).strip() : "";
      } else if ("x-api-key".equals(n)) {
        credentials++;
        apiKey = h.value().strip();
      }
    }
    if (credentials == 0) {
      return done(policy.required() ? fail(AuthFailure.MISSING, policy) : ok(null, policy));
    }
    String token = bearer != null ? bearer : apiKey;
    if (credentials > 1 || token.isEmpty() || token.indexOf(' ') >= 0) {
      return done(fail(AuthFailure.MALFORMED, policy));
    }
    if (bearer != null && looksLikeJwt(token) && policy.accepts(RouteAuthentication.Method.jwt)) {
      return jwt(token, policy);
    }
    if (!policy.accepts(RouteAuthentication.Method.apiKey)) {
      return done(fail(AuthFailure.MALFORMED, policy));
    }
    ConsumerConfig c = consumers.find(token);
    return done(
        c == null
            ? fail(AuthFailure.UNKNOWN_KEY, policy)
            : ok(new Identity(c.name(), RouteAuthentication.Method.apiKey, c), policy));
  }

  private CompletionStage<AuthResult> jwt(String token, RouteAuthentication policy) {
    String issuer = JwtValidator.unverifiedIssuer(token);
    JwtValidator v = issuer == null ? null : byIssuer.get(issuer);
    if (v == null) {
      return done(fail(AuthFailure.UNKNOWN_ISSUER, policy));
    }
    return v.validate(token)
        .thenApply(
            o -> {
              if (o.failure() != null) {
                return fail(o.failure(), policy);
              }
              ConsumerConfig c = byName.get(o.consumer());
              if (c == null) {
                if (v.provider().requireConsumer()) {
                  return fail(AuthFailure.UNKNOWN_CONSUMER, policy);
                }
                c = new ConsumerConfig(o.consumer(), List.of(), null, null);
              }
              return ok(new Identity(o.consumer(), RouteAuthentication.Method.jwt, c), policy);
            })
        .exceptionally(e -> fail(AuthFailure.KEYS_UNAVAILABLE, policy));
  }

  /**
   * The 401 for {@code failure}: the house error body and {@code WWW-Authenticate: Bearer} (RFC
   * 6750), never saying which check failed.
   */
  public static HttpResponse unauthorized(AuthFailure failure) {
    boolean missing = failure == AuthFailure.MISSING;
    return ErrorResponses.of(
        401,
        "unauthorized",
        missing
            ? "authentication required: send Authorization: Bearer <token> or x-api-key: <key>"
            : "the credentials are not valid",
        List.of(
            RawHeader.create(
                "WWW-Authenticate",
                missing
                    ? "Bearer realm=\"forge\""
                    : "Bearer realm=\"forge\", error=\"invalid_token\"")));
  }

  /** Whether {@code token} has the shape of a compact JWS: {@code eyJ...} with two dots. */
  static boolean looksLikeJwt(String token) {
    if (!token.startsWith("eyJ")) {
      return false;
    }
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    return second > 0 && token.indexOf('.', second + 1) < 0;
  }

  private static AuthResult ok(Identity id, RouteAuthentication policy) {
    return new AuthResult(id, null, policy);
  }

  private static AuthResult fail(AuthFailure f, RouteAuthentication policy) {
    return new AuthResult(null, f, policy);
  }

  private static CompletionStage<AuthResult> done(AuthResult r) {
    return CompletableFuture.completedFuture(r);
  }
}
