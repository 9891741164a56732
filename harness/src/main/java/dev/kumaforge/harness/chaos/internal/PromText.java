package dev.kumaforge.harness.chaos.internal;

/** Reads Prometheus text: the sum of every sample of one metric name, whatever its labels. */
public final class PromText {
  private PromText() {}

  /** The sum over all label sets of {@code name} in {@code text}; 0 when there is none. */
  public static double sum(String text, String name) {
    double total = 0;
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.charAt(0) == '#' || !line.startsWith(name)) {
        continue;
      }
      int after = name.length();
      if (line.length() > after && line.charAt(after) != '{' && line.charAt(after) != ' ') {
        continue;
      }
      int sp = line.lastIndexOf(' ');
      try {
        double v = Double.parseDouble(line.substring(sp + 1).strip());
        if (Double.isFinite(v)) {
          total += v;
        }
      } catch (NumberFormatException e) {
        // A sample with a timestamp or an unparsable value: not counted.
      }
    }
    return total;
  }
}
