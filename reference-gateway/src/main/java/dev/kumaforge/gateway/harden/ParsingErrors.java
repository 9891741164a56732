package dev.kumaforge.gateway.harden;

import dev.kumaforge.gateway.internal.ErrorResponses;
import java.util.List;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests Pekko's parser refused with the gateway's JSON error body; a header count over
 * the listener's limit becomes 431 (Pekko answers 400). Pekko closes the connection afterwards.
 * Instantiated by Pekko from {@code parsing.error-handler}.
 */
public final class ParsingErrors extends ParsingErrorHandler {
  /** Called by Pekko through reflection. */
  public ParsingErrors() {
    super();
  }

  @Override
  public HttpResponse handle(
      StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    int code = status.intValue();
    String summary = info.summary();
    if (code == 400 && summary.contains("configured limit") && summary.contains("headers")) {
      code = 431;
    }
    if (log.isDebugEnabled()) {
      log.debug("refused a request the parser rejected: {} {}", code, summary);
    }
    return ErrorResponses.of(code, code(code), summary, List.of());
  }

  private static String code(int status) {
    return switch (status) {
      case 413 -> "body_too_large";
      case 414 -> "uri_too_long";
      case 431 -> "headers_too_large";
      case 501 -> "not_implemented";
      case 505 -> "http_version_not_supported";
      default -> "bad_request";
    };
  }
}
