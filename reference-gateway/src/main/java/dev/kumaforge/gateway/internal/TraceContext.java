package dev.kumaforge.gateway.internal;

import java.util.concurrent.ThreadLocalRandom;

/** W3C trace context ({@code traceparent}) and request ids, without allocation-heavy UUIDs. */
public final class TraceContext {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private TraceContext() {}

  /** A random 32-hex-digit request id. */
  public static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] c = new char[32];
    hex(c, 0, r.nextLong());
    hex(c, 16, r.nextLong());
    return new String(c);
  }

  /**
   * The traceparent to send upstream: the same trace with a new parent (span) id when {@code
   * incoming} is valid, otherwise a new sampled trace.
   */
  public static String child(String incoming) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] c;
    if (isValid(incoming)) {
      c = incoming.toCharArray();
    } else {
      c = "00-00000000000000000000000000000000-0000000000000000-01".toCharArray();
      long hi;
      long lo;
      do {
        hi = r.nextLong();
        lo = r.nextLong();
      } while (hi == 0 && lo == 0);
      hex(c, 3, hi);
      hex(c, 19, lo);
    }
    long span;
    do {
      span = r.nextLong();
    } while (span == 0);
    hex(c, 36, span);
    return new String(c);
  }

  /** Whether {@code v} is a version-00 traceparent with non-zero ids. */
  public static boolean isValid(String v) {
    if (v == null
        || v.length() != 55
        || !v.startsWith("00-")
        || v.charAt(35) != '-'
        || v.charAt(52) != '-') {
      return false;
    }
    boolean traceNonZero = false;
    for (int i = 3; i < 55; i++) {
      if (i == 35 || i == 52) {
        continue;
      }
      char ch = v.charAt(i);
      boolean hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
      if (!hex) {
        return false;
      }
      if (i < 35 && ch != '0') {
        traceNonZero = true;
      }
    }
    return traceNonZero;
  }

  private static void hex(char[] c, int at, long v) {
    for (int i = 15; i >= 0; i--) {
      c[at + i] = HEX[(int) (v & 0xf)];
      v >>>= 4;
    }
  }
}
