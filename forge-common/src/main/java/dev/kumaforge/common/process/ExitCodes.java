package dev.kumaforge.common.process;

/** Exit codes of every forge command. */
public final class ExitCodes {
  private ExitCodes() {}

  /** Everything held: all SLOs and gates passed. */
  public static final int OK = 0;

  /** The run was valid, but an SLO or gate failed. */
  public static final int FAILED = 1;

  /**
   * The run itself is invalid: bad input, a generator that could not keep its schedule, a crash.
   */
  public static final int INVALID = 2;
}
