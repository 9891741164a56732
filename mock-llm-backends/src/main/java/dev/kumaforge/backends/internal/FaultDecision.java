package dev.kumaforge.backends.internal;

import dev.kumaforge.backends.config.FaultSpec;
import dev.kumaforge.backends.config.FaultType;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The faults that struck one request, drawn from the faults in force with the request's seed.
 *
 * @param reset reset the connection instead of answering
 * @param errorStatus an error status to answer with, or 0
 * @param delayNanos latency spike plus stall before the headers
 * @param midStream what happens mid-stream (STALL_MID_STREAM, MID_STREAM_ERROR, TRUNCATE,
 *     MALFORMED_CHUNK) or null
 * @param afterTokens tokens sent before the mid-stream fault strikes
 * @param midStallNanos length of a mid-stream stall
 * @param slowHeadersNanos how long the response head trickles out, or 0
 */
record FaultDecision(
    boolean reset,
    int errorStatus,
    long delayNanos,
    FaultType midStream,
    int afterTokens,
    long midStallNanos,
    long slowHeadersNanos) {

  static final FaultDecision NONE = new FaultDecision(false, 0, 0, null, 0, 0, 0);

  /** Draws the faults of request {@code requestNumber} of {@code model}. */
  static FaultDecision decide(List<FaultSpec> faults, String model, long seed, long requestNumber) {
    if (faults.isEmpty()) {
      return NONE;
    }
    SplittableRandom random =
        new SplittableRandom(ModelRuntime.mix(seed ^ ModelRuntime.mix(requestNumber + 0x5EED)));
    boolean reset = false;
    int error = 0;
    long delay = 0;
    FaultType mid = null;
    int after = 0;
    long midStall = 0;
    long slowHeaders = 0;
    for (FaultSpec f : faults) {
      double draw = random.nextDouble();
      if (f.type() == FaultType.FREEZE
          || (f.model() != null && !f.model().equals(model))
          || draw >= f.rate()) {
        continue;
      }
      switch (f.type()) {
        case RESET:
          reset = true;
          break;
        case ERROR:
          error = error == 0 ? f.status() : error;
          break;
        case SLOW_HEADERS:
          slowHeaders = Math.max(slowHeaders, f.duration().toNanos());
          break;
        case LATENCY:
        case STALL_BEFORE_HEADERS:
          delay += f.duration().toNanos();
          break;
        default:
          if (mid == null) {
            mid = f.type();
            after = f.afterTokens();
            midStall = f.type() == FaultType.STALL_MID_STREAM ? f.duration().toNanos() : 0;
          }
          break;
      }
    }
    return new FaultDecision(reset, error, delay, mid, after, midStall, slowHeaders);
  }
}
