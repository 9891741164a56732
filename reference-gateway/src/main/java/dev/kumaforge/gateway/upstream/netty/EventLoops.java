package dev.kumaforge.gateway.upstream.netty;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import scala.concurrent.ExecutionContextExecutor;

/**
 * A Netty event loop group (epoll, NIO fallback) that can also be the Pekko default dispatcher's
 * executor, so that the Pekko server stages and the Netty upstream connections share threads: a
 * task submitted from one of the group's threads runs on that same thread (queued behind the
 * current task, no wake-up), a task from any other thread goes to the next loop (round robin).
 *
 * <pre>
 * selector thread -> execute -> loop L (wake-up) -> server stage -> upstream write on L (inline)
 * response on L -> async callback -> execute -> L (no wake-up) -> rendering, socket write on L
 * </pre>
 *
 * <p>Nothing that blocks may run here: a blocked loop also stalls the upstream connections it owns
 * and, unlike a fork-join pool, its queued tasks are not stolen by the other loops.
 */
public final class EventLoops implements AutoCloseable {
  /**
   * Receive buffers of at least 8 KiB, for every connection with {@code autoRead} off (upstream
   * connections and the public listener's). Such a {@code read()} reads once, into a buffer of the
   * allocator's current guess, and Netty's default guess shrinks after a run of small reads: to 64
   * bytes after a stream's events, to ~300 bytes after a run of small requests. A message that does
   * not fit came in several reads, its head before its body. Upstream, a JSON answer then took the
   * streamed path (a Pekko stream and a dispatcher task). On the public listener a request body
   * became a streamed entity, and a streaming answer whose head came back before Pekko's parser had
   * passed the request's end was an "early response": Pekko closed the connection after it (about
   * 5% of the streams of a mixed chat/stream load, each costing the client a new connection).
   */
  public static final AdaptiveRecvByteBufAllocator READS =
      new AdaptiveRecvByteBufAllocator(8192, 16384, 65536);

  private final EventLoopGroup group;
  private final EventLoop[] loops;
  private final boolean epoll;

  /**
   * Starts {@code threads} event loop threads (daemon) named {@code name-N}.
   *
   * @param threads number of loops, at least 1
   * @param name thread name prefix
   */
  public EventLoops(int threads, String name) {
    this.epoll = Epoll.isAvailable();
    IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.group =
        new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
    this.loops = loopsOf(group);
  }

  /** The group (for channels). */
  public EventLoopGroup group() {
    return group;
  }

  /** The server socket channel type that runs on this group (epoll or NIO, as the loops). */
  public Class<? extends ServerChannel> serverChannelType() {
    return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** The socket channel type that runs on this group (epoll or NIO, as the loops). */
  public Class<? extends SocketChannel> channelType() {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /** Number of loops. */
  public int size() {
    return loops.length;
  }

  /** Loop {@code i} (0 to {@link #size()} - 1). */
  EventLoop loop(int i) {
    return loops[i];
  }

  /** The loop running on the calling thread, or null when it is not one of this group's. */
  EventLoop current() {
    return current(loops);
  }

  /** The loop of {@code loops} running on the calling thread, or null. */
  static EventLoop current(EventLoop[] loops) {
    for (EventLoop l : loops) {
      if (l.inEventLoop()) {
        return l;
      }
    }
    return null;
  }

  /** {@code loop}'s index in the group, or -1. */
  static int indexOf(EventLoop[] loops, EventLoop loop) {
    for (int i = 0; i < loops.length; i++) {
      if (loops[i] == loop) {
        return i;
      }
    }
    return -1;
  }

  /** The group's loops (the array is shared, do not modify). */
  static EventLoop[] loopsOf(EventLoopGroup group) {
    List<EventLoop> list = new ArrayList<>();
    for (EventExecutor e : group) {
      if (e instanceof EventLoop l) {
        list.add(l);
      }
    }
    return list.toArray(new EventLoop[0]);
  }

  /**
   * Runs {@code task} on the calling thread's loop when it is one of the group's, else the next.
   */
  public void execute(Runnable task) {
    EventLoop own = current();
    (own != null ? own : group.next()).execute(task);
  }

  /**
   * This group as a Scala execution context (for {@code ActorSystem.create(...,
   * defaultExecutionContext)}), reporting task failures to {@code reporter}.
   */
  public ExecutionContextExecutor executionContext(Consumer<Throwable> reporter) {
    return new ExecutionContextExecutor() {
      @Override
      public void execute(Runnable task) {
        EventLoops.this.execute(task);
      }

      @Override
      public void reportFailure(Throwable cause) {
        reporter.accept(cause);
      }
    };
  }

  /** Stops the loops (closing their channels) and waits at most 2 s. */
  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
  }
}
