package dev.kumaforge.reports.internal;

import java.util.Locale;

/** Human formatting of microseconds, rates and percentages for reports. */
public final class Units {
  private Units() {}

  /**
   * Microseconds as a short human value: {@code 250µs}, {@code 1.5ms}, {@code 100ms}, {@code 2s}.
   */
  public static String micros(double us) {
    double abs = Math.abs(us);
    if (abs < 1000) {
      return trim(us) + "µs";
    }
    if (abs < 1_000_000) {
      return trim(us / 1000.0) + "ms";
    }
    return trim(us / 1_000_000.0) + "s";
  }

  /** Microseconds as milliseconds with 3 decimals, for tables: {@code 1.234}. */
  public static String ms(double us) {
    return String.format(Locale.ROOT, "%.3f", us / 1000.0);
  }

  /** Signed milliseconds with 3 decimals: {@code +0.120}. */
  public static String signedMs(double us) {
    return String.format(Locale.ROOT, "%+.3f", us / 1000.0);
  }

  /** A fraction as a percentage: {@code 0.001} -> {@code 0.1%}. */
  public static String percent(double fraction) {
    return trim(fraction * 100) + "%";
  }

  /** CPU microseconds per request with one decimal, or {@code -} when not measured. */
  public static String cpu(Double usPerRequest) {
    return usPerRequest == null ? "-" : String.format(Locale.ROOT, "%.1f", usPerRequest);
  }

  /** A rate with one decimal: {@code 299.9}. */
  public static String rate(double rps) {
    return String.format(Locale.ROOT, "%.1f", rps);
  }

  /** A number with at most 3 decimals and no trailing zeros. */
  public static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.3f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
