package dev.kumaforge.load.gatling.internal;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Picks 1..n with weight 1 / k^skew from a seeded random sequence; thread-safe. */
public final class ZipfPicker {
  private final double[] cumulative;
  private final SplittableRandom random;

  /** A picker over 1..{@code n}; {@code skew} 0 is uniform. */
  public ZipfPicker(int n, double skew, long seed) {
    cumulative = new double[n];
    double sum = 0;
    for (int k = 1; k <= n; k++) {
      sum += 1.0 / Math.pow(k, skew);
      cumulative[k - 1] = sum;
    }
    for (int i = 0; i < n; i++) {
      cumulative[i] /= sum;
    }
    random = new SplittableRandom(seed);
  }

  /** The next pick, 1-based. */
  public synchronized int next() {
    double x = random.nextDouble();
    int i = Arrays.binarySearch(cumulative, x);
    int idx = i >= 0 ? i : -i - 1;
    return Math.min(idx, cumulative.length - 1) + 1;
  }
}
