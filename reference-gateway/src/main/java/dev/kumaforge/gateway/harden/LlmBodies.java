package dev.kumaforge.gateway.harden;

import dev.kumaforge.gateway.internal.ErrorResponses;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.scaladsl.coding.Coder;
import org.apache.pekko.http.scaladsl.coding.Coders;

/**
 * Request bodies of LLM routes, which the AI gateway parses: a {@code Content-Encoding} of gzip or
 * deflate is decoded as a stream (the AI gateway's body cap then bounds the decoded size, so a
 * compression bomb ends in 413 with bounded memory); any other encoding is refused with 415. Plain
 * routes never decode: their bodies go to the backend as sent.
 */
public final class LlmBodies {
  private LlmBodies() {}

  /** {@link RequestGuard.Result} with the decoded request, or a 415 refusal. */
  public static RequestGuard.Result decode(HttpRequest request) {
    String encoding = null;
    List<HttpHeader> others = new ArrayList<>();
    for (HttpHeader h : request.getHeaders()) {
      if (h.is("content-encoding")) {
        String v = h.value().trim().toLowerCase(Locale.ROOT);
        encoding = encoding == null ? v : encoding + "," + v;
      } else {
        others.add(h);
      }
    }
    if (encoding == null || "identity".equals(encoding)) {
      return new RequestGuard.Result(request, null);
    }
    Coder coder =
        switch (encoding) {
          case "gzip", "x-gzip" -> Coders.Gzip();
          case "deflate" -> Coders.Deflate();
          default -> null;
        };
    if (coder == null) {
      return new RequestGuard.Result(
          request,
          ErrorResponses.of(
              415,
              "unsupported_encoding",
              "Content-Encoding '" + encoding + "' is not supported (gzip, deflate or identity)",
              request.entity().isKnownEmpty() ? List.of() : List.of(Connection.create("close"))));
    }
    HttpRequest decoded =
        request
            .withHeaders(others)
            .withEntity(
                HttpEntities.createChunked(
                    request.entity().getContentType(),
                    request.entity().getDataBytes().via(coder.decoderFlow())));
    return new RequestGuard.Result(decoded, null);
  }
}
