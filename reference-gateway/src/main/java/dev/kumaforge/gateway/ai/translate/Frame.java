package dev.kumaforge.gateway.ai.translate;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;

/**
 * Bytes for the client produced from one upstream event.
 *
 * @param bytes SSE bytes
 * @param content whether it carries answer content (text or tool call)
 */
public record Frame(ByteString bytes, boolean content) {
  /** A {@code data:} frame. */
  public static Frame data(String json, boolean content) {
    return new Frame(
        ByteString.fromString("data: " + json + "\n\n", StandardCharsets.UTF_8), content);
  }

  /** An {@code event:} + {@code data:} frame. */
  public static Frame event(String event, String json, boolean content) {
    return new Frame(
        ByteString.fromString(
            "event: " + event + "\ndata: " + json + "\n\n", StandardCharsets.UTF_8),
        content);
  }
}
