package dev.kumaforge.backends.internal;

/**
 * The precomputed answer of one request: token pieces and when each is due.
 *
 * @param promptTokens prompt tokens counted by the tokenizer
 * @param pieces the completion tokens, one string each
 * @param due {@code due[i]} is the time from receipt until token {@code i} is due, in nanoseconds
 * @param truncatedByMaxTokens whether max tokens cut the answer short
 * @param requestNumber sequence number of the request for its model, from 0
 * @param tool the tool called (pieces are its JSON arguments), or null for a text answer
 */
record Plan(
    int promptTokens,
    String[] pieces,
    long[] due,
    boolean truncatedByMaxTokens,
    long requestNumber,
    Tools.Tool tool) {

  int completionTokens() {
    return pieces.length;
  }

  /** Nanoseconds from receipt until token {@code i} (0-based) is due. */
  long dueNanos(int i) {
    return due[i];
  }

  /** Time to first token in nanoseconds. */
  long ttftNanos() {
    return due[0];
  }

  /** Nanoseconds from receipt until the whole answer is generated. */
  long totalNanos() {
    return due[due.length - 1];
  }

  String text() {
    StringBuilder sb = new StringBuilder();
    for (String p : pieces) {
      sb.append(p);
    }
    return sb.toString();
  }
}
