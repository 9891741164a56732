package dev.kumaforge.chaos.proxy.toxics;

import io.netty.buffer.ByteBuf;

/** {@code noop}: passes everything through; also what a toxic becomes on a link it missed. */
public final class NoopToxic extends Toxic {
  @Override
  protected void data(ByteBuf data, long readNanos) {
    next().onData(data, readNanos);
  }
}
