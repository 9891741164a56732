package dev.kumaforge.reports.model;

/**
 * What a JVM target's JIT compiler did in a trial (harness {@code result.json}: {@code
 * target_process.jit_cpu_cores} and {@code jit_settle}).
 *
 * @param coresWhileMeasured average share of one core its compiler threads used while measured, or
 *     null when not read
 * @param settled for a target with {@code settle}: whether a settle round got quiet; null without
 *     settle
 * @param settleRounds settle rounds driven before the trial (0 without settle)
 * @param settleLoadS seconds of settle load before the trial, its warm-up included
 */
public record JitFigures(
    Double coresWhileMeasured, Boolean settled, int settleRounds, double settleLoadS) {

  /** The trial's JIT figures in a report cell: {@code 0.41% of a core; settled after 6 rounds}. */
  public String describe() {
    String measured =
        coresWhileMeasured == null
            ? "-"
            : String.format(
                java.util.Locale.ROOT,
                coresWhileMeasured < 0.001 ? "%.2f%%" : "%.1f%%",
                coresWhileMeasured * 100);
    if (settled == null) {
      return measured;
    }
    return measured
        + (settled ? "; settled after " : "; NOT settled after ")
        + settleRounds
        + (settleRounds == 1 ? " round" : " rounds");
  }

  /** Figures of several run folders' copies of one trial: mean share, all settled, most rounds. */
  public JitFigures merge(JitFigures other) {
    if (other == null) {
      return this;
    }
    Double cores =
        coresWhileMeasured == null
            ? other.coresWhileMeasured
            : other.coresWhileMeasured == null
                ? coresWhileMeasured
                : (coresWhileMeasured + other.coresWhileMeasured) / 2;
    Boolean s =
        settled == null
            ? other.settled
            : other.settled == null ? settled : settled && other.settled;
    return new JitFigures(
        cores,
        s,
        Math.max(settleRounds, other.settleRounds),
        Math.max(settleLoadS, other.settleLoadS));
  }
}
