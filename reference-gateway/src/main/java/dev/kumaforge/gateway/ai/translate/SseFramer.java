package dev.kumaforge.gateway.ai.translate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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

  private static final byte[] EMPTY = new byte[0];

  /** The bytes of an unfinished event (never written to: may be a chunk's own array). */
  private byte[] rest = EMPTY;

  /** Feeds bytes; returns the events they complete. */
  public List<Event> feed(ByteString bytes) {
    byte[] in = bytes.toArrayUnsafe();
    byte[] a;
    if (rest.length == 0) {
      a = in;
    } else {
      a = Arrays.copyOf(rest, rest.length + in.length);
      System.arraycopy(in, 0, a, rest.length, in.length);
    }
    int n = a.length;
    List<Event> out = new ArrayList<>(2);
    int start = 0;
    // the whole unfinished event is scanned again with the new bytes, so a boundary split across
    // chunks is found exactly as in one piece
    for (int i = 0; i + 1 < n; i++) {
      if (a[i] == '\n'
          && (a[i + 1] == '\n' || (a[i + 1] == '\r' && i + 2 < n && a[i + 2] == '\n'))) {
        Event e = parse(new String(a, start, i - start, StandardCharsets.UTF_8));
        if (e != null) {
          out.add(e);
        }
        i += a[i + 1] == '\r' ? 2 : 1;
        start = i + 1;
      }
    }
    rest = start == 0 ? a : start >= n ? EMPTY : Arrays.copyOfRange(a, start, n);
    return out;
  }

  /** Whether bytes of an unfinished event are left. */
  public boolean hasRemainder() {
    for (byte b : rest) {
      if (b != '\n' && b != '\r' && b != ' ') {
        return true;
      }
    }
    return false;
  }

  /**
   * The event of one block; its lines end at {@code \n} or {@code \r\n} (a {@code \r} ending the
   * block's last line stays in it).
   */
  private static Event parse(String block) {
    String event = null;
    StringBuilder data = null;
    int from = 0;
    int len = block.length();
    while (from <= len) {
      int nl = block.indexOf('\n', from);
      int end = nl < 0 ? len : nl > from && block.charAt(nl - 1) == '\r' ? nl - 1 : nl;
      if (block.startsWith("event:", from)) {
        event = block.substring(from + 6, end).trim();
      } else if (block.startsWith("data:", from)) {
        int d = from + 5 < end && block.charAt(from + 5) == ' ' ? from + 6 : from + 5;
        if (data == null) {
          data = new StringBuilder(end - d);
        } else {
          data.append('\n');
        }
        data.append(block, d, end);
      }
      if (nl < 0) {
        break;
      }
      from = nl + 1;
    }
    return data == null && event == null
        ? null
        : new Event(event, data == null ? "" : data.toString());
  }
}
