package dev.kumaforge.gateway.auth;

import java.util.Locale;

/**
 * Why a request did not authenticate; the lower-case name is the {@code reason} label of {@code
 * gateway_auth_failures_total}. Clients only ever see 401 without the reason.
 */
public enum AuthFailure {
  /** No credential on a route that requires one. */
  MISSING,
  /** More than one credential header, an empty one, or one the route does not accept. */
  MALFORMED,
  /** An API key no consumer owns (or one revoked by a reload). */
  UNKNOWN_KEY,
  /** A JWT longer than {@code authentication.jwt.maxTokenSize}. */
  TOKEN_TOO_LARGE,
  /** A JWT that does not parse, or whose claims do not. */
  BAD_TOKEN,
  /** A JWT whose {@code alg} its provider does not accept ({@code none} included). */
  BAD_ALGORITHM,
  /** A JWT whose {@code iss} no provider has. */
  UNKNOWN_ISSUER,
  /** No verification key for the JWT's {@code kid} and algorithm, even after a refresh. */
  UNKNOWN_KEY_ID,
  /** The provider's keys could not be loaded: fail closed. */
  KEYS_UNAVAILABLE,
  /** The signature does not verify. */
  BAD_SIGNATURE,
  /** {@code exp} is missing or more than the clock skew ago. */
  EXPIRED,
  /** {@code nbf} is more than the clock skew ahead. */
  NOT_YET_VALID,
  /** {@code aud} matches none of the provider's audiences. */
  BAD_AUDIENCE,
  /** A required claim, or the consumer claim, is missing or not a valid name. */
  BAD_CLAIMS,
  /** The consumer claim names no configured consumer ({@code requireConsumer: true}). */
  UNKNOWN_CONSUMER;

  /** The metric label. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
