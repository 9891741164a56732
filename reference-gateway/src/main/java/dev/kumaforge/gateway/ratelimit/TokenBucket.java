package dev.kumaforge.gateway.ratelimit;

/**
 * A token bucket refilled continuously at {@code tokens / interval}, holding at most {@code
 * capacity}; time comes from the caller so tests drive it with a manual clock.
 */
public final class TokenBucket {
  private final double capacity;
  private final double tokensPerNano;
  private double tokens;
  private long last;

  /**
   * Creates a full bucket.
   *
   * @param capacity burst size
   * @param tokens tokens added per interval
   * @param intervalNanos the interval
   * @param now the current clock reading
   */
  public TokenBucket(int capacity, int tokens, long intervalNanos, long now) {
    this.capacity = capacity;
    this.tokensPerNano = (double) tokens / intervalNanos;
    this.tokens = capacity;
    this.last = now;
  }

  /**
   * Takes one token if there is one.
   *
   * @return 0 when taken, otherwise the nanoseconds until a token is available
   */
  public synchronized long tryAcquire(long now) {
    refill(now);
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - tokens) / tokensPerNano));
  }

  /** Whole tokens left at {@code now}. */
  public synchronized int remaining(long now) {
    refill(now);
    return (int) Math.floor(tokens);
  }

  /** Nanoseconds until the bucket is full again. */
  public synchronized long nanosUntilFull(long now) {
    refill(now);
    return (long) Math.ceil((capacity - tokens) / tokensPerNano);
  }

  private void refill(long now) {
    long elapsed = now - last;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed * tokensPerNano);
      last = now;
    }
  }
}
