package dev.kumaforge.load.engine.internal;

import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.channels.spi.SelectorProvider;

/** Native epoll when available (precise timers), NIO otherwise. */
public final class Transport {
  private Transport() {}

  /** Whether the native epoll transport is used. */
  public static boolean epoll() {
    return Epoll.isAvailable();
  }

  /** A group of {@code threads} event loops with daemon threads named {@code name}. */
  public static EventLoopGroup group(int threads, String name) {
    return group(threads, name, DefaultSelectStrategyFactory.INSTANCE);
  }

  /** Like {@link #group(int, String)} with a select strategy (e.g. {@link BusyPollStrategy}). */
  public static EventLoopGroup group(int threads, String name, SelectStrategyFactory strategy) {
    IoHandlerFactory factory =
        epoll()
            ? EpollIoHandler.newFactory(0, strategy)
            : NioIoHandler.newFactory(SelectorProvider.provider(), strategy);
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
  }

  /** The client socket channel class matching {@link #group}. */
  public static Class<? extends SocketChannel> channelClass() {
    return epoll() ? EpollSocketChannel.class : NioSocketChannel.class;
  }
}
