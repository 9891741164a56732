package dev.kumaforge.gateway.ai.translate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Splits a byte stream into server-sent events at blank lines, whatever the chunking; one instance
 * per stream. Comment lines are dropped, several data lines are joined with newlines.
 */
public final class SseFramer {
  /**
   * One event.
   *
   * @param event the {@code event:} field, or null
   * @param data the data lines joined
   */
  public record Event(String event, String data) {}

  private ByteString buffer = ByteString.emptyByteString();

  /** Feeds bytes; returns the events they complete. */
  public List<Event> feed(ByteString bytes) {
    buffer = buffer.concat(bytes);
    List<Event> out = new ArrayList<>(2);
    int start = 0;
    int n = buffer.size();
    for (int i = 0; i + 1 < n; i++) {
      if (buffer.apply(i) == '\n'
          && (buffer.apply(i + 1) == '\n'
              || (buffer.apply(i + 1) == '\r' && i + 2 < n && buffer.apply(i + 2) == '\n'))) {
        Event e = parse(buffer.slice(start, i).decodeString(StandardCharsets.UTF_8));
        if (e != null) {
          out.add(e);
        }
        i += buffer.apply(i + 1) == '\r' ? 2 : 1;
        start = i + 1;
      }
    }
    if (start > 0) {
      buffer = buffer.drop(start);
    }
    return out;
  }

  /** Whether bytes of an unfinished event are left. */
  public boolean hasRemainder() {
    for (int i = 0; i < buffer.size(); i++) {
      byte b = buffer.apply(i);
      if (b != '\n' && b != '\r' && b != ' ') {
        return true;
      }
    }
    return false;
  }

  private static Event parse(String block) {
    String event = null;
    StringBuilder data = null;
    for (String line : block.split("\r?\n")) {
      if (line.startsWith("event:")) {
        event = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        String d = line.substring(5);
        d = d.startsWith(" ") ? d.substring(1) : d;
        if (data == null) {
          data = new StringBuilder(d);
        } else {
          data.append('\n').append(d);
        }
      }
    }
    return data == null && event == null
        ? null
        : new Event(event, data == null ? "" : data.toString());
  }
}
