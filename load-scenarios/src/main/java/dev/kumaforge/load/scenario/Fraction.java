package dev.kumaforge.load.scenario;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/**
 * A fraction between 0 and 1, written as a percentage ({@code 0.1%}) or a plain number ({@code
 * 0.001}).
 *
 * @param value the fraction, 0 to 1
 */
public record Fraction(double value) {
  /** The expected format, for error messages. */
  public static final String EXPECTED = "a percentage such as 0.1% or a fraction such as 0.001";

  public Fraction {
    if (!Double.isFinite(value) || value < 0 || value > 1) {
      throw new IllegalArgumentException(value + " (expected: a fraction from 0 to 1)");
    }
  }

  /** Binds a YAML scalar: a number (fraction) or a string ending in {@code %}. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Fraction of(Object raw) {
    if (raw instanceof Number n) {
      return new Fraction(n.doubleValue());
    }
    if (raw instanceof String s) {
      return parse(s);
    }
    throw new IllegalArgumentException("'" + raw + "' (expected: " + EXPECTED + ")");
  }

  /** Parses {@code 0.1%} or {@code 0.001}. */
  public static Fraction parse(String text) {
    String t = text.trim();
    try {
      if (t.endsWith("%")) {
        double pct = Double.parseDouble(t.substring(0, t.length() - 1).trim());
        if (pct < 0 || pct > 100 || !Double.isFinite(pct)) {
          throw new IllegalArgumentException("'" + text + "' (expected: 0% to 100%)");
        }
        return new Fraction(pct / 100.0);
      }
      return new Fraction(Double.parseDouble(t));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' (expected: " + EXPECTED + ")", e);
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s%%", stripZeros(value * 100));
  }

  private static String stripZeros(double v) {
    String s = String.format(Locale.ROOT, "%.6f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
