package dev.kumaforge.gateway.auth;

/**
 * The outcome of authenticating one request: an identity, anonymous (neither), or a failure.
 *
 * @param identity who the request is, or null
 * @param failure why it is refused, or null
 * @param policy the route's authentication, or null when the route has none
 */
public record AuthResult(Identity identity, AuthFailure failure, RouteAuthentication policy) {
  /** A route without authentication. */
  public static final AuthResult NOT_REQUIRED = new AuthResult(null, null, null);

  /** Whether the request may go on. */
  public boolean allowed() {
    return failure == null;
  }

  /** Whether credentials are removed before the request goes upstream. */
  public boolean stripCredentials() {
    return policy != null && !policy.forwardCredentials();
  }
}
