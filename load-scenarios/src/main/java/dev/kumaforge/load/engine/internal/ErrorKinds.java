package dev.kumaforge.load.engine.internal;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;

/** Names of the error kinds in {@code result.json}'s {@code errors_by_kind}. */
public final class ErrorKinds {
  private ErrorKinds() {}

  /** The connection could not be established. */
  public static final String CONNECT = "connect";

  /** No complete response within the timeout of the intended send time. */
  public static final String TIMEOUT = "timeout";

  /** The connection was reset or closed before the response was complete. */
  public static final String RESET = "reset";

  /**
   * The TLS handshake failed (untrusted or mismatched certificate, client certificate refused) or
   * the TLS record layer broke.
   */
  public static final String TLS = "tls";

  /** The response could not be parsed as HTTP/1.1. */
  public static final String PROTOCOL = "protocol";

  /** A 2xx event stream that carried an in-band error event (a provider failing mid-answer). */
  public static final String STREAM_ERROR = "stream_error";

  /**
   * A 2xx event stream that ended without its terminator ({@code [DONE]} or {@code message_stop}):
   * the client got a truncated answer that looks complete on the wire.
   */
  public static final String STREAM_INCOMPLETE = "stream_incomplete";

  /** The kind for an HTTP status that is not 2xx. */
  public static String status(int code) {
    return "status_" + code;
  }

  /** Classifies a failure of an established or establishing connection. */
  public static String classify(Throwable cause, boolean connecting) {
    for (Throwable c = cause; c != null; c = c.getCause()) {
      if (c instanceof SSLException) {
        return TLS;
      }
    }
    if (connecting
        || cause instanceof ConnectException
        || cause instanceof ConnectTimeoutException
        || cause instanceof NoRouteToHostException
        || cause instanceof UnknownHostException) {
      return CONNECT;
    }
    if (cause instanceof DecoderException && !(cause instanceof PrematureChannelClosureException)) {
      return PROTOCOL;
    }
    if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
      return RESET;
    }
    return PROTOCOL;
  }
}
