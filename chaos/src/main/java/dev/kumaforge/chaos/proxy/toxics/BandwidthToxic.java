package dev.kumaforge.chaos.proxy.toxics;

import io.netty.buffer.ByteBuf;

/**
 * {@code bandwidth}: limits the stream to {@code rate} KB/s (1 KB = 1000 bytes), sending at most
 * 100 ms worth of bytes at a time; a rate of 0 lets data through unthrottled.
 */
public final class BandwidthToxic extends HoldingToxic {
  private final long rateKbPerSecond;
  private long nextFreeNanos = Long.MIN_VALUE;

  /** A bandwidth toxic; {@code rateKbPerSecond} in KB/s. */
  public BandwidthToxic(long rateKbPerSecond) {
    this.rateKbPerSecond = rateKbPerSecond;
  }

  @Override
  protected void pump() {
    while (!queue.isEmpty()) {
      Held head = queue.peek();
      if (head.data == null || rateKbPerSecond <= 0) {
        emitHead();
        continue;
      }
      long maxPiece = rateKbPerSecond * 100;
      int piece = (int) Math.min(head.data.readableBytes(), maxPiece);
      long now = context().nanoTime();
      if (head.dueNanos == Long.MIN_VALUE) {
        // Sleep first, then send: the piece leaves once the link had time to carry it.
        long start = Math.max(now, nextFreeNanos);
        head.dueNanos = start + piece * 1_000_000L / rateKbPerSecond;
      }
      if (head.dueNanos > now) {
        wakeAfter(head.dueNanos - now);
        return;
      }
      nextFreeNanos = head.dueNanos;
      head.dueNanos = Long.MIN_VALUE;
      if (piece >= head.data.readableBytes()) {
        emitHead();
      } else {
        ByteBuf slice = head.data.readRetainedSlice(piece);
        next().onData(slice, head.readNanos);
      }
    }
  }
}
