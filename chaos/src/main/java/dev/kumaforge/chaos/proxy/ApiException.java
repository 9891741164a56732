package dev.kumaforge.chaos.proxy;

/** A refused control operation, with the HTTP status Toxiproxy answers for it. */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  /** {@code message} names what was wrong; {@code status} is 400, 404, 409 or 500. */
  public ApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }
}
