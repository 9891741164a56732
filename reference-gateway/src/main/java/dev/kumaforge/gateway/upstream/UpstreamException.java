package dev.kumaforge.gateway.upstream;

/** A failure the gateway decided itself (timeout, circuit open, rate limit) with its kind. */
public final class UpstreamException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient UpstreamFailure failure;
  private final long retryAfterSeconds;

  /**
   * Creates the exception.
   *
   * @param failure the kind
   * @param detail what happened
   * @param retryAfterSeconds value for Retry-After, or -1 for none
   */
  public UpstreamException(UpstreamFailure failure, String detail, long retryAfterSeconds) {
    super(detail, null, false, false);
    this.failure = failure;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public UpstreamFailure failure() {
    return failure;
  }

  /** Seconds for a Retry-After header, or -1. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
