package dev.kumaforge.chaos.proxy.toxics;

import io.netty.buffer.ByteBuf;

/**
 * {@code slicer}: cuts every chunk into slices of about {@code average_size} bytes (plus or minus
 * {@code size_variation}), waiting {@code delay} microseconds after each slice.
 */
public final class SlicerToxic extends HoldingToxic {
  private final int averageSize;
  private final int sizeVariation;
  private final long delayMicros;

  /** A slicer; sizes in bytes, delay in microseconds. */
  public SlicerToxic(long averageSize, long sizeVariation, long delayMicros) {
    this.averageSize = (int) Math.max(1, Math.min(Integer.MAX_VALUE, averageSize));
    this.sizeVariation = (int) Math.min(Integer.MAX_VALUE, sizeVariation);
    this.delayMicros = delayMicros;
  }

  @Override
  protected void pump() {
    while (!queue.isEmpty()) {
      Held head = queue.peek();
      if (head.data == null) {
        emitHead();
        continue;
      }
      int remaining = head.data.readableBytes();
      int size;
      if (remaining - averageSize <= sizeVariation) {
        size = remaining;
      } else {
        int variation =
            sizeVariation == 0 ? 0 : context().random().nextInt(-sizeVariation, sizeVariation + 1);
        size = Math.max(1, Math.min(remaining, averageSize + variation));
      }
      if (size >= remaining) {
        emitHead();
      } else {
        ByteBuf slice = head.data.readRetainedSlice(size);
        next().onData(slice, head.readNanos);
      }
      if (delayMicros > 0) {
        wakeAfter(delayMicros * 1000L);
        return;
      }
    }
  }
}
