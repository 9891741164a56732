package dev.kumaforge.chaos.proxy.internal;

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

/** Event loop groups and channel types: native epoll when available, NIO otherwise. */
public final class Transport {
  private Transport() {}

  /** Whether native epoll is used. */
  public static boolean epoll() {
    return Epoll.isAvailable();
  }

  /** A new daemon event loop group. */
  public static EventLoopGroup newGroup(int threads, String name) {
    IoHandlerFactory factory = epoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
  }

  /** The server channel type matching {@link #newGroup}. */
  public static Class<? extends ServerChannel> serverChannel() {
    return epoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** The client channel type matching {@link #newGroup}. */
  public static Class<? extends SocketChannel> socketChannel() {
    return epoll() ? EpollSocketChannel.class : NioSocketChannel.class;
  }
}
