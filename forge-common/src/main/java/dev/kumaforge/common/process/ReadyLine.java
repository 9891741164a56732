package dev.kumaforge.common.process;

import java.io.PrintStream;
import java.util.Map;

/**
 * The {@code READY <name> <url>} lines every server prints on stdout once it listens, one line per
 * listener, flushed at once so a supervising process can read them.
 */
public final class ReadyLine {
  private ReadyLine() {}

  /** Formats {@code READY <name> <url>}. */
  public static String format(String name, String url) {
    return "READY " + name + " " + url;
  }

  /** Prints one READY line per listener and flushes. */
  public static void print(PrintStream out, Map<String, String> listeners) {
    listeners.forEach((name, url) -> out.println(format(name, url)));
    out.flush();
  }
}
