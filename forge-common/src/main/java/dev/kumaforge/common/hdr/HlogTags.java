package dev.kumaforge.common.hdr;

/**
 * Tag names used in the interval {@code .hlog} files; every value is in microseconds.
 *
 * <p>Metric definitions (DESIGN.md): {@link #LATENCY} is intended send to last byte of a successful
 * response; {@link #ERROR} the same for failed requests; {@link #TTFT} intended send to first
 * content chunk; {@link #ITL} the gap between consecutive content chunks; {@link #TPOT} (E2E -
 * TTFT) / (output tokens - 1); {@link #LAG} the load generator's own lag, actual send minus
 * scheduled send.
 */
public final class HlogTags {
  private HlogTags() {}

  public static final String LATENCY = "latency";
  public static final String ERROR = "error";
  public static final String TTFT = "ttft";
  public static final String ITL = "itl";
  public static final String TPOT = "tpot";
  public static final String LAG = "lag";

  /** Highest trackable value of every recorder: one hour in microseconds. */
  public static final long HIGHEST_TRACKABLE_MICROS = 3_600_000_000L;

  /** Significant digits of every recorder. */
  public static final int SIGNIFICANT_DIGITS = 3;

  /** Name of the per-trial latency log in a run folder. */
  public static final String LATENCY_LOG = "latency.hlog";
}
