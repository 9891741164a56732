package dev.kumaforge.chaos.proxy.toxics;

import io.netty.buffer.ByteBuf;

/**
 * The next stage of a link: a toxic or the socket writer. A receiver owns every buffer passed to it
 * and must emit, drop ({@link ToxicContext#drop}) or release it.
 */
public interface Receiver {
  /** Bytes read at {@code readNanos} (the link clock) arrive, in stream order. */
  void onData(ByteBuf data, long readNanos);

  /** The end of the stream arrives, after all data. */
  void onEnd();
}
