package dev.kumaforge.common.units;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and prints durations written as a number and a unit: {@code 250us}, {@code 250ms}, {@code
 * 1.5s}, {@code 2m}, {@code 1h}. A unit is always required, so {@code 5} is rejected instead of
 * being guessed.
 */
public final class Durations {
  private static final Pattern FORMAT =
      Pattern.compile("^\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(ns|us|µs|ms|s|m|min|h)\\s*$");

  private Durations() {}

  /** The expected format, for error messages. */
  public static final String EXPECTED = "a duration such as 500us, 250ms, 1.5s, 2m or 1h";

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the expected format when {@code text} is not a duration
   */
  public static Duration parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("missing duration (expected: " + EXPECTED + ")");
    }
    Matcher m = FORMAT.matcher(text.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' (expected: " + EXPECTED + ")");
    }
    double amount = Double.parseDouble(m.group(1));
    double nanosPerUnit =
        switch (m.group(2)) {
          case "ns" -> 1;
          case "us", "µs" -> 1_000;
          case "ms" -> 1_000_000;
          case "s" -> 1_000_000_000d;
          case "m", "min" -> 60_000_000_000d;
          case "h" -> 3_600_000_000_000d;
          default -> throw new IllegalArgumentException("unknown unit in '" + text + "'");
        };
    double nanos = amount * nanosPerUnit;
    if (nanos > Long.MAX_VALUE) {
      throw new IllegalArgumentException("'" + text + "' is too long");
    }
    return Duration.ofNanos(Math.round(nanos));
  }

  /**
   * Prints {@code d} in the largest unit that keeps it readable, e.g. {@code 1.5s}, {@code 250ms}.
   */
  public static String format(Duration d) {
    long nanos = d.toNanos();
    if (nanos % 3_600_000_000_000L == 0 && nanos != 0) {
      return nanos / 3_600_000_000_000L + "h";
    }
    if (nanos % 60_000_000_000L == 0 && nanos != 0) {
      return nanos / 60_000_000_000L + "m";
    }
    if (nanos >= 1_000_000_000L) {
      return trim(nanos / 1e9) + "s";
    }
    if (nanos >= 1_000_000L) {
      return trim(nanos / 1e6) + "ms";
    }
    if (nanos >= 1_000L) {
      return trim(nanos / 1e3) + "us";
    }
    return nanos + "ns";
  }

  /** Prints a microsecond value for tables: {@code 812us}, {@code 12.4ms}, {@code 1.25s}. */
  public static String formatMicros(double micros) {
    if (micros >= 1_000_000) {
      return String.format(Locale.ROOT, "%.2fs", micros / 1e6);
    }
    if (micros >= 10_000) {
      return String.format(Locale.ROOT, "%.1fms", micros / 1e3);
    }
    if (micros >= 1_000) {
      return String.format(Locale.ROOT, "%.2fms", micros / 1e3);
    }
    return String.format(Locale.ROOT, "%.0fus", micros);
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.3f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
