package dev.kumaforge.harness.chaos.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * Totals of counters read from processes that may restart: a value lower than the last one means
 * the process started over from zero, so the new value is added in full. A source that could not be
 * read simply adds nothing.
 */
public final class Counters {
  private final Map<String, Double> last = new HashMap<>();
  private final Map<String, Double> total = new HashMap<>();

  /** Records the current reading of counter {@code key}. */
  public synchronized void observe(String key, double value) {
    Double prev = last.put(key, value);
    double delta = prev == null || value < prev ? value : value - prev;
    total.merge(key, delta, Double::sum);
  }

  /** The total of every counter whose key starts with {@code prefix}. */
  public synchronized double total(String prefix) {
    double sum = 0;
    for (Map.Entry<String, Double> e : total.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        sum += e.getValue();
      }
    }
    return sum;
  }
}
