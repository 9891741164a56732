package dev.kumaforge.gateway.upstream;

import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.unix.Errors;
import io.netty.handler.codec.PrematureChannelClosureException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.stream.BufferOverflowException;
import org.apache.pekko.stream.StreamTcpException;

/**
 * The one mapping from upstream failures to HTTP statuses; {@link #label()} is also the metric
 * label.
 */
public enum UpstreamFailure {
  /** The upstream could not be connected to. */
  CONNECT_ERROR(502, "upstream connect error"),
  /**
   * The TLS handshake with the upstream failed: its certificate is not trusted, names another host
   * or SPIFFE ID, or it refused the gateway's client certificate. Retried like CONNECT_ERROR.
   */
  TLS_ERROR(502, "upstream TLS handshake failed"),
  /** The upstream closed or reset the connection before a complete response head. */
  RESET(502, "upstream connection reset"),
  /**
   * An HTTP/2 upstream refused the stream unprocessed (RFC 9113 section 8.7): RST_STREAM
   * REFUSED_STREAM before any response, or the stream was above the last-stream-id of the peer's
   * GOAWAY. Such a request is retried transparently (any method, without {@code retryOn}) at most
   * {@link #REFUSED_RETRIES} times when its body is held in memory and the retry budget allows;
   * beyond that it is retried like RESET (retryOn Reset, 5XX, GatewayError), for any method.
   */
  REFUSED_STREAM(503, "upstream refused the stream"),
  /** No response head within the request or per-try timeout. */
  READ_TIMEOUT(504, "upstream timeout"),
  /** The circuit breaker refused the request (limits or every endpoint ejected). */
  CIRCUIT_OPEN(503, "circuit open"),
  /** The upstream connection pool's queue is full. */
  POOL_OVERFLOW(503, "upstream pool overflow"),
  /** A local rate limit refused the request. */
  RATE_LIMITED(429, "rate limited");

  /**
   * Transparent retries of a request whose stream an HTTP/2 upstream refused ({@link
   * #REFUSED_STREAM}), per request, in addition to MeshRetry's numRetries.
   */
  public static final int REFUSED_RETRIES = 2;

  private final int status;
  private final String message;
  private final String label;

  UpstreamFailure(int status, String message) {
    this.status = status;
    this.message = message;
    this.label = name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The HTTP status sent to the client. */
  public int status() {
    return status;
  }

  /** A short human description. */
  public String message() {
    return message;
  }

  /** The metric label and JSON error code (lower case). */
  public String label() {
    return label;
  }

  /** Classifies a failed upstream call. */
  public static UpstreamFailure classify(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof UpstreamException u) {
      return u.failure();
    }
    if (e instanceof TimeoutException) {
      return READ_TIMEOUT;
    }
    if (e instanceof BufferOverflowException) {
      return POOL_OVERFLOW;
    }
    if (e instanceof ConnectException || e instanceof ConnectTimeoutException) {
      // Netty: AnnotatedConnectException (refused), ConnectTimeoutException (connectionTimeout)
      return CONNECT_ERROR;
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof javax.net.ssl.SSLException
          || c instanceof java.security.cert.CertificateException) {
        return TLS_ERROR;
      }
    }
    if (e instanceof PrematureChannelClosureException
        || e instanceof ClosedChannelException
        || e instanceof Errors.NativeIoException) {
      // Netty: closed before a complete response, written to a closed channel, ECONNRESET/EPIPE
      return RESET;
    }
    if (e instanceof StreamTcpException) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("Connect") || m.contains("connect")) {
        return CONNECT_ERROR;
      }
      return RESET;
    }
    String m = String.valueOf(e.getMessage());
    if (m.contains("Connection refused") || m.contains("Connect timeout")) {
      return CONNECT_ERROR;
    }
    return RESET;
  }

  /**
   * What went wrong, for an error answer and the log: the unwrapped failure's message, or its class
   * name when it has none (as some stream failures have).
   */
  public static String describe(Throwable t) {
    Throwable e = unwrap(t);
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getName() : m;
  }

  /** Strips CompletionException and ExecutionException wrappers. */
  public static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
