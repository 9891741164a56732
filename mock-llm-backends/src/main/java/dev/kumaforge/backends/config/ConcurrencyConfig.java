package dev.kumaforge.backends.config;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;

/**
 * Concurrency of one model, like vLLM's max-num-seqs: a number of slots (sequences generated at
 * once), a bounded waiting queue, and a slowdown that grows with the active sequences.
 *
 * <p>A request waits for a free slot; its TTFT is counted from the moment it gets one. When the
 * queue is full it is rejected with {@code rejectStatus} in the provider's shape. With {@code a}
 * active sequences (itself included) every latency of the request is multiplied by {@code 1 +
 * slowdownPerActive x (a - 1)}.
 *
 * @param slots sequences generated at once, 0 = unlimited (default)
 * @param queue requests that may wait for a slot, default 0
 * @param rejectStatus status when the queue is full: 429, 503 or 529, default 429
 * @param slowdownPerActive latency growth per additional active sequence, default 0
 */
public record ConcurrencyConfig(
    Integer slots, Integer queue, Integer rejectStatus, Double slowdownPerActive)
    implements Validatable {

  /** Applies defaults. */
  public ConcurrencyConfig {
    slots = slots == null ? 0 : slots;
    queue = queue == null ? 0 : queue;
    rejectStatus = rejectStatus == null ? 429 : rejectStatus;
    slowdownPerActive = slowdownPerActive == null ? 0.0 : slowdownPerActive;
  }

  /** Unlimited, no slowdown. */
  public static ConcurrencyConfig unlimited() {
    return new ConcurrencyConfig(null, null, null, null);
  }

  @Override
  public void validate(Validator v) {
    v.check(slots >= 0, "slots", slots, ">= 0 (0 = unlimited)");
    v.check(queue >= 0, "queue", queue, ">= 0");
    v.check(
        rejectStatus == 429 || rejectStatus == 503 || rejectStatus == 529,
        "rejectStatus",
        rejectStatus,
        "429, 503 or 529");
    v.check(
        slowdownPerActive >= 0 && Double.isFinite(slowdownPerActive),
        "slowdownPerActive",
        slowdownPerActive,
        ">= 0");
  }
}
