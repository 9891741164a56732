package dev.kumaforge.gateway.circuitbreaker;

import dev.kumaforge.gateway.config.Backend;
import java.util.ArrayList;
import java.util.List;

/**
 * The interval detectors of MeshCircuitBreaker outlier detection (failure percentage and success
 * rate), run over one backend's endpoints every {@code outlierDetection.interval}.
 */
public final class OutlierSweep {
  private OutlierSweep() {}

  /**
   * Reads and resets each endpoint's window and ejects the outliers.
   *
   * @param endpoints the backend's endpoints
   * @param policy the outlier detection policy
   * @param now clock reading
   * @return indices of the endpoints ejected now
   */
  public static List<Integer> sweep(
      List<EndpointHealth> endpoints, Backend.Outlier policy, long now) {
    int n = endpoints.size();
    long[][] windows = new long[n][];
    for (int i = 0; i < n; i++) {
      windows[i] = endpoints.get(i).takeWindow();
    }
    List<Integer> ejected = new ArrayList<>();
    if (policy.disabled()) {
      return ejected;
    }
    int alreadyEjected = 0;
    for (EndpointHealth e : endpoints) {
      if (e.isEjected(now)) {
        alreadyEjected++;
      }
    }
    Backend.Detectors d = policy.detectors();
    boolean[] outlier = new boolean[n];
    if (d.failurePercentage() != null) {
      Backend.FailurePercentage f = d.failurePercentage();
      int withVolume = 0;
      for (long[] w : windows) {
        if (w[0] >= f.requestVolume()) {
          withVolume++;
        }
      }
      if (withVolume >= f.minimumHosts()) {
        for (int i = 0; i < n; i++) {
          long[] w = windows[i];
          if (w[0] >= f.requestVolume() && w[1] * 100 >= (long) f.threshold() * w[0]) {
            outlier[i] = true;
          }
        }
      }
    }
    if (d.successRate() != null) {
      Backend.SuccessRate r = d.successRate();
      List<Integer> counted = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (windows[i][0] >= r.requestVolume()) {
          counted.add(i);
        }
      }
      if (counted.size() >= r.minimumHosts()) {
        double sum = 0;
        for (int i : counted) {
          sum += rate(windows[i]);
        }
        double mean = sum / counted.size();
        double var = 0;
        for (int i : counted) {
          double dev = rate(windows[i]) - mean;
          var += dev * dev;
        }
        double limit = mean - r.standardDeviationFactor() * Math.sqrt(var / counted.size());
        for (int i : counted) {
          if (rate(windows[i]) < limit) {
            outlier[i] = true;
          }
        }
      }
    }
    for (int i = 0; i < n; i++) {
      if (outlier[i]
          && (alreadyEjected + 1) * 100 <= policy.maxEjectionPercent() * n
          && endpoints.get(i).eject(now, policy)) {
        alreadyEjected++;
        ejected.add(i);
      }
    }
    return ejected;
  }

  private static double rate(long[] window) {
    return (double) (window[0] - window[1]) / window[0];
  }
}
