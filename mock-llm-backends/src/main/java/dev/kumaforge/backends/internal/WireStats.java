package dev.kumaforge.backends.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A provider's connection figures: TCP connections accepted per protocol (HTTP/1.1, h2c), open
 * connections and open h2 streams, and h2 streams the client reset (RST_STREAM: a cancelled
 * request). The totals restart with {@code POST /admin/reset}; the open counts do not.
 */
final class WireStats {
  final AtomicLong http1Connections = new AtomicLong();
  final AtomicLong h2Connections = new AtomicLong();
  final AtomicLong openConnections = new AtomicLong();
  final AtomicLong openStreams = new AtomicLong();
  final AtomicLong streams = new AtomicLong();
  final AtomicLong streamsReset = new AtomicLong();

  /** Clears the totals. */
  void reset() {
    http1Connections.set(0);
    h2Connections.set(0);
    streams.set(0);
    streamsReset.set(0);
  }
}
