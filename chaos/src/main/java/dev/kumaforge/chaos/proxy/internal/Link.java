package dev.kumaforge.chaos.proxy.internal;

import dev.kumaforge.chaos.proxy.StreamDirection;
import dev.kumaforge.chaos.proxy.ToxicSpec;
import dev.kumaforge.chaos.proxy.toxics.NoopToxic;
import dev.kumaforge.chaos.proxy.toxics.Receiver;
import dev.kumaforge.chaos.proxy.toxics.Toxic;
import dev.kumaforge.chaos.proxy.toxics.ToxicContext;
import dev.kumaforge.chaos.proxy.toxics.ToxicType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * One direction of a connection: reads from {@code source}, runs the toxic chain, writes to {@code
 * target}. Every method runs on the connection's event loop. Reading pauses while more than {@link
 * #HIGH_WATER} bytes are read but not yet written or dropped.
 */
final class Link {
  static final long HIGH_WATER = 1 << 20;
  static final long LOW_WATER = 256 << 10;

  private final Connection connection;
  private final StreamDirection direction;
  private final Channel source;
  private final Channel target;
  private final RandomGenerator random;
  private final List<Stage> stages = new ArrayList<>();
  private final Sink sink = new Sink();
  private long pending;
  private boolean paused;
  private boolean inputEnded;

  /** A toxic installed on this link with its context. */
  private final class Stage implements ToxicContext {
    final ToxicSpec spec;
    final Toxic toxic;
    boolean live = true;

    Stage(ToxicSpec spec, Toxic toxic) {
      this.spec = spec;
      this.toxic = toxic;
    }

    @Override
    public long nanoTime() {
      return connection.clock().nanoTime();
    }

    @Override
    public RandomGenerator random() {
      return random;
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
      Future<?> f =
          source
              .eventLoop()
              .schedule(
                  () -> {
                    if (live) {
                      task.run();
                    }
                  },
                  Math.max(0, delayNanos),
                  TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    }

    @Override
    public void drop(ByteBuf data) {
      int n = data.readableBytes();
      data.release();
      completed(n);
    }

    @Override
    public void close() {
      connection.closeGracefully();
    }

    @Override
    public void reset() {
      connection.reset();
    }
  }

  /** Writes to the target socket; the end of stream half-closes it. */
  private final class Sink implements Receiver {
    boolean ended;

    @Override
    public void onData(ByteBuf data, long readNanos) {
      int n = data.readableBytes();
      if (ended || !target.isActive()) {
        data.release();
        completed(n);
        return;
      }
      connection.metrics().sent[direction.ordinal()].add(n);
      target
          .writeAndFlush(data)
          .addListener(
              f -> {
                completed(n);
                if (!f.isSuccess()) {
                  connection.abort();
                }
              });
    }

    @Override
    public void onEnd() {
      if (ended) {
        return;
      }
      ended = true;
      if (!target.isActive()) {
        connection.directionEnded();
        return;
      }
      target
          .writeAndFlush(Unpooled.EMPTY_BUFFER)
          .addListener(
              (ChannelFutureListener)
                  f -> {
                    if (f.isSuccess() && target instanceof DuplexChannel duplex) {
                      duplex.shutdownOutput();
                    }
                    connection.directionEnded();
                  });
    }
  }

  Link(
      Connection connection,
      StreamDirection direction,
      Channel source,
      Channel target,
      RandomGenerator random) {
    this.connection = connection;
    this.direction = direction;
    this.source = source;
    this.target = target;
    this.random = random;
  }

  StreamDirection direction() {
    return direction;
  }

  /** Bytes read from the source socket. */
  void onRead(ByteBuf data) {
    if (inputEnded) {
      data.release();
      return;
    }
    int n = data.readableBytes();
    connection.metrics().received[direction.ordinal()].add(n);
    pending += n;
    if (!paused && pending > HIGH_WATER) {
      paused = true;
      source.config().setAutoRead(false);
    }
    head().onData(data, connection.clock().nanoTime());
  }

  /** The source socket ended its output (FIN) or died. */
  void onInputEnd() {
    if (inputEnded) {
      return;
    }
    inputEnded = true;
    head().onEnd();
  }

  /** The target socket died: nothing more can be written. */
  void onTargetDead() {
    if (!sink.ended) {
      sink.ended = true;
      connection.directionEnded();
    }
  }

  private void completed(long n) {
    pending -= n;
    if (paused && pending < LOW_WATER) {
      paused = false;
      source.config().setAutoRead(true);
      source.read();
    }
  }

  private Receiver head() {
    return stages.isEmpty() ? sink : stages.get(0).toxic;
  }

  private Receiver after(int index) {
    return index + 1 < stages.size() ? stages.get(index + 1).toxic : sink;
  }

  private int indexOf(String name) {
    for (int i = 0; i < stages.size(); i++) {
      if (stages.get(i).spec.name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private Stage instantiate(ToxicSpec spec, ToxicType type) {
    ProxyMetrics.ToxicMetrics m =
        connection.metrics().toxic(spec.name(), spec.type(), spec.stream());
    boolean active = spec.toxicity() >= 1.0 || random.nextDouble() < spec.toxicity();
    Toxic toxic = active ? type.create(spec.attributes()) : new NoopToxic();
    if (active) {
      m.connections.increment();
    } else {
      m.skipped.increment();
    }
    Stage stage = new Stage(spec, toxic);
    toxic.bind(stage, sink, active ? m.bytes : null);
    return stage;
  }

  /** Appends a toxic at the end of the chain. */
  void add(ToxicSpec spec, ToxicType type) {
    if (indexOf(spec.name()) >= 0) {
      return;
    }
    Stage stage = instantiate(spec, type);
    if (!stages.isEmpty()) {
      stages.get(stages.size() - 1).toxic.relink(stage.toxic);
    }
    stages.add(stage);
    stage.toxic.start();
  }

  /** Replaces a toxic in place: the old one hands on what it holds, the new one takes over. */
  void update(ToxicSpec spec, ToxicType type) {
    int i = indexOf(spec.name());
    if (i < 0) {
      add(spec, type);
      return;
    }
    Stage old = stages.get(i);
    Stage fresh = instantiate(spec, type);
    fresh.toxic.relink(after(i));
    old.toxic.interrupt();
    old.live = false;
    stages.set(i, fresh);
    if (i > 0) {
      stages.get(i - 1).toxic.relink(fresh.toxic);
    }
    fresh.toxic.inheritState(old.toxic);
    fresh.toxic.start();
  }

  /** Removes a toxic: it hands on what it holds, in order, then leaves the chain. */
  void remove(String name) {
    int i = indexOf(name);
    if (i < 0) {
      return;
    }
    Stage old = stages.get(i);
    Receiver next = after(i);
    if (i > 0) {
      stages.get(i - 1).toxic.relink(next);
    }
    stages.remove(i);
    old.toxic.interrupt();
    old.live = false;
  }

  /** The connection is gone: toxics release what they hold. */
  void dispose() {
    for (Stage s : stages) {
      s.live = false;
      s.toxic.dispose();
    }
    stages.clear();
  }
}
