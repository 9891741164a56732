package dev.kumaforge.gateway.auth;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.util.List;

/**
 * A route's {@code authentication}: which credentials it accepts and whether one is required.
 *
 * @param methods accepted methods (default [apiKey, jwt])
 * @param required without credentials: 401 when true (default), anonymous when false; invalid
 *     credentials are always 401
 * @param forwardCredentials whether Authorization and x-api-key reach the backend (default false)
 */
public record RouteAuthentication(
    List<Method> methods, Boolean required, Boolean forwardCredentials) implements Validatable {
  /** What LLM routes use when they name no authentication: a credential is required. */
  public static final RouteAuthentication LLM_DEFAULT = new RouteAuthentication(null, true, false);

  /** A credential kind. */
  public enum Method {
    /** {@code Authorization: Bearer KEY} or {@code x-api-key: KEY}, a consumer's key. */
    apiKey,
    /** {@code Authorization: Bearer JWT}, verified by a provider. */
    jwt
  }

  public RouteAuthentication {
    methods = methods == null ? List.of(Method.apiKey, Method.jwt) : List.copyOf(methods);
    required = required == null || required;
    forwardCredentials = forwardCredentials != null && forwardCredentials;
  }

  /** Whether {@code m} is accepted. */
  public boolean accepts(Method m) {
    return methods.contains(m);
  }

  @Override
  public void validate(Validator v) {
    v.check(!methods.isEmpty(), "methods", "[]", "at least one of apiKey, jwt");
  }
}
