package dev.kumaforge.reports;

/** A run folder or summary file that cannot be read; the message names the file and the problem. */
public class ReportException extends RuntimeException {
  /** Creates the exception with a message naming the file and the problem. */
  public ReportException(String message) {
    super(message);
  }

  /** Creates the exception with a message naming the file and the problem, and its cause. */
  public ReportException(String message, Throwable cause) {
    super(message, cause);
  }
}
