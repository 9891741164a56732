package dev.kumaforge.reports.capacity;

import java.nio.file.Path;

/** Gives tests of other packages the capacity.json fixture. */
public final class CapacityReportTestAccess {
  private CapacityReportTestAccess() {}

  /** Copies the capacity fixture into {@code tmp/cap} and returns that folder. */
  public static Path fixture(Path tmp) throws Exception {
    return CapacityReportTest.fixture(tmp);
  }
}
