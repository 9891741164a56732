package dev.kumaforge.load.engine.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.function.LongSupplier;

/**
 * The first handler of an engine connection: reads the clock when bytes reach the pipeline, before
 * TLS and HTTP decoding, so that a response's end is timed when its last bytes arrived rather than
 * when the decoder got to it. Decoding is the client's own work: on a 2-vCPU VM, where the event
 * loop's core has just woken from a halt, it took 9 us at p50 and 17 us at p90 of a 2 ms request
 * (load-scenarios/calibration/README.md, "Where the engine's p90 excess goes").
 *
 * <p>Event loop thread only.
 */
final class ArrivalClock extends ChannelInboundHandlerAdapter {
  private final LongSupplier clock;
  private long arrival;
  private boolean reading;

  ArrivalClock(LongSupplier clock) {
    this.clock = clock;
  }

  /**
   * When the bytes now being decoded arrived; outside a read (an end signalled by the connection's
   * close, say), the clock now.
   */
  long now() {
    return reading ? arrival : clock.getAsLong();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    arrival = clock.getAsLong();
    reading = true;
    try {
      ctx.fireChannelRead(msg);
    } finally {
      reading = false;
    }
  }
}
