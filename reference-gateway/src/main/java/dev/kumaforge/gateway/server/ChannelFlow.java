package dev.kumaforge.gateway.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.StreamTcpException;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * One accepted Netty channel as a {@code Flow<ByteString, ByteString>} (bytes to write in, bytes
 * read out), in place of Pekko's {@code Tcp.IncomingConnection.flow()} with {@code halfClose =
 * false}.
 *
 * <ul>
 *   <li>Reads: the channel runs with {@code autoRead} off; a pull requests one {@code
 *       channel.read()}, and what that read brings is handed to the stage through one async
 *       callback (at most one read's worth per pull: bounded memory for a fast sender).
 *   <li>Writes: each element is written and flushed, and the next one is pulled at once while the
 *       channel is writable, else when its writability changes back (Netty's write buffer water
 *       marks bound what a slow reader costs).
 *   <li>Closing: the peer's FIN or RST completes (RST: fails) the stage; the stack finishing its
 *       writes closes the channel once the written bytes are flushed (no half-open connections);
 *       the stack cancelling its reads stops reading only (as Pekko's TCP stage); the stack failing
 *       aborts the connection (RST).
 * </ul>
 *
 * <p>The stage may be materialized on another thread than the channel's loop: events that arrive
 * before it exists are kept by {@link Bridge} and handed over in order.
 */
final class ChannelFlow extends GraphStage<FlowShape<ByteString, ByteString>> {
  /** The peer closed the connection (FIN, or closed by us). */
  private static final Object CLOSED = new Object();

  /** The channel is writable again. */
  private static final Object WRITABLE = new Object();

  private final Inlet<ByteString> in = Inlet.create("ChannelFlow.in");
  private final Outlet<ByteString> out = Outlet.create("ChannelFlow.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final Channel channel;
  private final Bridge bridge;

  /** A stage for {@code channel}, whose pipeline must hold {@code bridge}. */
  ChannelFlow(Channel channel, Bridge bridge) {
    this.channel = channel;
    this.bridge = bridge;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new GraphStageLogic(shape) {
      private boolean reading; // a channel.read() is outstanding
      private boolean awaitingWritable; // the next pull of in waits for writability
      private ByteString pending; // read while out was not pulled (not expected)
      private boolean closed; // the channel is closed or closing

      {
        setHandler(
            in,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                write(grab(in));
              }

              @Override
              public void onUpstreamFinish() {
                closeAfterFlush();
                completeStage();
              }

              @Override
              public void onUpstreamFailure(Throwable ex) {
                abort();
                failStage(ex);
              }
            });
        setHandler(
            out,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                if (pending != null) {
                  ByteString p = pending;
                  pending = null;
                  push(out, p);
                } else if (!reading && !closed) {
                  reading = true;
                  channel.read();
                }
              }

              @Override
              public void onDownstreamFinish(Throwable cause) {
                // as Pekko's TCP stage: the stack no longer reads but may still write (a response
                // in flight during graceful termination); the connection closes when it finishes
                if (isClosed(in)) {
                  closeAfterFlush();
                  completeStage();
                }
              }
            });
        bridge.attach(createAsyncCallback(this::onEvent));
      }

      @Override
      public void preStart() {
        pull(in);
      }

      private void onEvent(Object event) {
        if (event instanceof ByteString bytes) {
          reading = false;
          if (isAvailable(out)) {
            push(out, bytes);
          } else if (!isClosed(out)) {
            pending = pending == null ? bytes : pending.concat(bytes);
          }
        } else if (event == WRITABLE) {
          if (awaitingWritable && channel.isWritable()) {
            awaitingWritable = false;
            if (!isClosed(in) && !hasBeenPulled(in)) {
              pull(in);
            }
          }
        } else if (event == CLOSED) {
          closed = true;
          if (pending != null) {
            emit(out, pending);
            pending = null;
          }
          complete(out);
          cancel(in);
        } else if (event instanceof Throwable cause) {
          closed = true;
          failStage(
              new StreamTcpException("The connection closed with error: " + cause.getMessage()));
        }
      }

      private void write(ByteString bytes) {
        if (closed) {
          return; // the peer is gone; the stage completes with the close event
        }
        channel.writeAndFlush(toBuf(bytes), channel.voidPromise());
        if (channel.isWritable()) {
          pull(in);
        } else {
          awaitingWritable = true;
        }
      }

      private void closeAfterFlush() {
        if (!closed) {
          closed = true;
          channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
      }

      private void abort() {
        if (!closed) {
          closed = true;
          if (channel.isOpen()) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
          }
          channel.close();
        }
      }

      @Override
      public void postStop() {
        if (!closed) {
          closed = true;
          channel.close();
        }
      }
    };
  }

  private static ByteBuf toBuf(ByteString bytes) {
    List<ByteBuffer> buffers = new ArrayList<>(1);
    for (ByteBuffer b : bytes.getByteBuffers()) {
      buffers.add(b);
    }
    return buffers.size() == 1
        ? Unpooled.wrappedBuffer(buffers.get(0))
        : Unpooled.wrappedBuffer(buffers.toArray(new ByteBuffer[0]));
  }

  /**
   * The channel's handler: turns each read into one {@link ByteString} and hands reads, the close,
   * failures and writability to the stage's async callback (keeping them until the stage exists).
   */
  static final class Bridge extends ChannelInboundHandlerAdapter {
    private volatile AsyncCallback<Object> events;
    private List<Object> early = new ArrayList<>(2); // guarded by this until events is set
    private ByteString read; // loop thread only
    private boolean inactive; // loop thread only

    /** Called once, by the stage, on whatever thread materializes it. */
    void attach(AsyncCallback<Object> callback) {
      synchronized (this) {
        for (Object e : early) {
          callback.invoke(e);
        }
        early = null;
        events = callback;
      }
    }

    private void send(Object event) {
      AsyncCallback<Object> cb = events;
      if (cb == null) {
        synchronized (this) {
          cb = events;
          if (cb == null) {
            early.add(event);
            return;
          }
        }
      }
      cb.invoke(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      try {
        byte[] a = new byte[buf.readableBytes()];
        buf.readBytes(a);
        ByteString b = ByteString.fromArrayUnsafe(a);
        read = read == null ? b : read.concat(b);
      } finally {
        buf.release();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      flushRead();
    }

    private void flushRead() {
      if (read != null) {
        ByteString r = read;
        read = null;
        send(r);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        send(WRITABLE);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      flushRead();
      if (!inactive) {
        inactive = true;
        send(CLOSED);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      flushRead();
      if (!inactive) {
        inactive = true;
        send(cause);
      }
      ctx.close();
    }
  }
}
