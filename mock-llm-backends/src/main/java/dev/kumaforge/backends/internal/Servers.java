package dev.kumaforge.backends.internal;

import dev.kumaforge.backends.config.TlsConfig;
import dev.kumaforge.common.tls.Pem;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/** Netty plumbing: the event loop group (epoll when available, NIO otherwise) and bind. */
public final class Servers {
  private Servers() {}

  /** Whether native epoll is used. */
  public static boolean epoll() {
    return Epoll.isAvailable();
  }

  /** A new event loop group with {@code threads} threads. */
  public static EventLoopGroup newGroup(int threads) {
    IoHandlerFactory factory = epoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(
        threads, new DefaultThreadFactory("forge-backends", true), factory);
  }

  /** Binds {@code provider} on its configured host and port; returns the bound server channel. */
  public static Channel bind(EventLoopGroup group, ProviderRuntime provider)
      throws InterruptedException {
    Class<? extends ServerChannel> type =
        epoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    int maxBody = (int) provider.config().maxBodySize().bytes();
    SslContext ssl = provider.config().tls() == null ? null : sslContext(provider.config().tls());
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(type)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (ssl != null) {
                      ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                    }
                    WireStats wire = provider.wire();
                    wire.openConnections.incrementAndGet();
                    ch.closeFuture().addListener(f -> wire.openConnections.decrementAndGet());
                    if (ssl != null) {
                      wire.http1Connections.incrementAndGet();
                      ch.pipeline().addLast(HeadDribbler.CODEC, new HttpServerCodec());
                      H2c.http(ch.pipeline(), provider, maxBody);
                    } else {
                      ch.pipeline().addLast(new H2c(provider, maxBody));
                    }
                  }
                });
    InetSocketAddress address =
        new InetSocketAddress(provider.config().host(), provider.config().port());
    return b.bind(address).sync().channel();
  }

  /** A server context with the JDK provider; client certificates required when a CA is set. */
  static SslContext sslContext(TlsConfig tls) {
    try {
      SslContextBuilder b =
          SslContextBuilder.forServer(
                  Pem.keyManagers(Path.of(tls.certificate()), Path.of(tls.privateKey())))
              .sslProvider(SslProvider.JDK)
              .protocols(tls.protocols());
      if (tls.mutual()) {
        b.trustManager(Pem.trustManagers(Path.of(tls.clientCaBundle())))
            .clientAuth(ClientAuth.REQUIRE);
      }
      return b.build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the TLS context: " + e.getMessage(), e);
    }
  }
}
