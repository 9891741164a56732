package dev.kumaforge.chaos.proxy.toxics;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.atomic.LongAdder;

/**
 * One toxic running on one link (one direction of one connection). Subclasses implement {@link
 * #data}; the end of stream passes on by default. A toxic that holds data must hand all of it on in
 * {@link #interrupt()}, which runs when the toxic is removed or replaced on a live link.
 */
public abstract class Toxic implements Receiver {
  private Receiver next;
  private ToxicContext context;
  private LongAdder bytesIn;

  /** Wires this toxic into a link; called once by the link before {@link #start()}. */
  public final void bind(ToxicContext context, Receiver next, LongAdder bytesIn) {
    this.context = context;
    this.next = next;
    this.bytesIn = bytesIn;
  }

  /** Points this toxic at a new next stage (a toxic after it was added or removed). */
  public final void relink(Receiver next) {
    this.next = next;
  }

  /** The stage after this one. */
  protected final Receiver next() {
    return next;
  }

  /** The link services. */
  protected final ToxicContext context() {
    return context;
  }

  @Override
  public final void onData(ByteBuf data, long readNanos) {
    if (bytesIn != null) {
      bytesIn.add(data.readableBytes());
    }
    data(data, readNanos);
  }

  @Override
  public void onEnd() {
    next.onEnd();
  }

  /** Handles bytes read at {@code readNanos}; must emit, hold, or drop them. */
  protected abstract void data(ByteBuf data, long readNanos);

  /** Called when the toxic is installed on a link (new connection or toxic added). */
  public void start() {}

  /** Removal on a live link: hand on everything held, in order, and cancel timers. */
  public void interrupt() {}

  /** The connection is gone: release held buffers, cancel timers. */
  public void dispose() {}

  /** On an update of the toxic's attributes, takes over the per-link state of {@code previous}. */
  public void inheritState(Toxic previous) {}
}
