package dev.kumaforge.harness.run;

import java.io.PrintStream;

/**
 * Progress output: a live status line rewritten in place on a terminal, plain periodic lines
 * otherwise (CI logs, files).
 */
public final class Console {
  private final PrintStream out;
  private final boolean live;
  private int lastStatusLength;
  private long lastPlainNanos;

  public Console(PrintStream out, boolean live) {
    this.out = out;
    this.live = live;
  }

  /** A console that rewrites its status line when standard output is a terminal. */
  public static Console system() {
    return new Console(System.out, System.console() != null && System.getenv("CI") == null);
  }

  /** Prints a line of its own (clearing a status line first). */
  public synchronized void line(String text) {
    clearStatus();
    out.println(text);
    out.flush();
  }

  /** Shows {@code text} as the current status; off a terminal, at most one line every 5 s. */
  public synchronized void status(String text) {
    if (live) {
      String padded =
          text.length() < lastStatusLength
              ? text + " ".repeat(lastStatusLength - text.length())
              : text;
      out.print("\r" + padded);
      out.flush();
      lastStatusLength = text.length();
    } else {
      long now = System.nanoTime();
      if (lastPlainNanos == 0 || now - lastPlainNanos >= 5_000_000_000L) {
        lastPlainNanos = now;
        out.println("  " + text);
        out.flush();
      }
    }
  }

  /** Ends the status line so the next output starts on a fresh line. */
  public synchronized void endStatus() {
    if (live && lastStatusLength > 0) {
      out.println();
      lastStatusLength = 0;
    }
    lastPlainNanos = 0;
  }

  private void clearStatus() {
    if (live && lastStatusLength > 0) {
      out.print("\r" + " ".repeat(lastStatusLength) + "\r");
      lastStatusLength = 0;
    }
  }
}
