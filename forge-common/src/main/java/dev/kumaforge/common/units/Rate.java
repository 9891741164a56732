package dev.kumaforge.common.units;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rate in events per second, written as {@code 200}, {@code 200/s}, {@code 1.5k/s} or {@code
 * 600/m}.
 *
 * @param perSecond events per second, finite and not negative
 */
public record Rate(double perSecond) {
  private static final Pattern FORMAT =
      Pattern.compile("^\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(k)?\\s*(?:/\\s*(s|sec|m|min|h))?\\s*$");

  /** The expected format, for error messages. */
  public static final String EXPECTED = "a rate such as 200, 200/s, 1.5k/s or 600/m";

  public Rate {
    if (!Double.isFinite(perSecond) || perSecond < 0) {
      throw new IllegalArgumentException(perSecond + " (expected: a rate >= 0)");
    }
  }

  public static Rate perSecond(double perSecond) {
    return new Rate(perSecond);
  }

  /** Parses {@code text}; throws {@link IllegalArgumentException} naming the expected format. */
  public static Rate parse(String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' (expected: " + EXPECTED + ")");
    }
    double v = Double.parseDouble(m.group(1)) * (m.group(2) != null ? 1000 : 1);
    String unit = m.group(3) == null ? "s" : m.group(3);
    double divisor =
        switch (unit) {
          case "m", "min" -> 60;
          case "h" -> 3600;
          default -> 1;
        };
    return new Rate(v / divisor);
  }

  @Override
  public String toString() {
    if (perSecond == Math.rint(perSecond)) {
      return (long) perSecond + "/s";
    }
    return String.format(Locale.ROOT, "%.3f/s", perSecond);
  }
}
