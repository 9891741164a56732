package dev.kumaforge.common.units;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size in bytes, written as {@code 512}, {@code 512B}, {@code 64KiB}, {@code 10MiB}, {@code 1GiB}
 * (binary) or {@code 64KB}, {@code 10MB} (decimal).
 *
 * @param bytes the size in bytes, not negative
 */
public record DataSize(long bytes) {
  private static final Pattern FORMAT =
      Pattern.compile("^\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(b|kb|kib|mb|mib|gb|gib)?\\s*$");

  /** The expected format, for error messages. */
  public static final String EXPECTED = "a size such as 512B, 64KiB, 10MiB or 1GB";

  public DataSize {
    if (bytes < 0) {
      throw new IllegalArgumentException(bytes + " (expected: a size >= 0)");
    }
  }

  public static DataSize ofBytes(long bytes) {
    return new DataSize(bytes);
  }

  /** Parses {@code text}; throws {@link IllegalArgumentException} naming the expected format. */
  public static DataSize parse(String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' (expected: " + EXPECTED + ")");
    }
    double v = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2);
    double factor =
        switch (unit) {
          case "kb" -> 1e3;
          case "kib" -> 1024;
          case "mb" -> 1e6;
          case "mib" -> 1024 * 1024;
          case "gb" -> 1e9;
          case "gib" -> 1024d * 1024 * 1024;
          default -> 1;
        };
    return new DataSize(Math.round(v * factor));
  }

  @Override
  public String toString() {
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
      return bytes / (1024 * 1024) + "MiB";
    }
    if (bytes >= 1024 && bytes % 1024 == 0) {
      return bytes / 1024 + "KiB";
    }
    return bytes + "B";
  }
}
