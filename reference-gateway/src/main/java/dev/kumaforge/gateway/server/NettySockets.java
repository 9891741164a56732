package dev.kumaforge.gateway.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;
import org.apache.pekko.io.Inet;
import scala.Product;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Pekko HTTP's server socket options ({@code pekko.http.server.socket-options}) as Netty channel
 * options, with Pekko IO's defaults: TCP_NODELAY on and SO_REUSEADDR on unless set.
 */
final class NettySockets {
  final boolean noDelay;
  final boolean reuseAddress;
  private final Integer receiveBuffer;
  private final Integer sendBuffer;
  private final Boolean keepAlive;
  private final Integer trafficClass;

  private NettySockets(
      boolean noDelay,
      boolean reuseAddress,
      Integer receiveBuffer,
      Integer sendBuffer,
      Boolean keepAlive,
      Integer trafficClass) {
    this.noDelay = noDelay;
    this.reuseAddress = reuseAddress;
    this.receiveBuffer = receiveBuffer;
    this.sendBuffer = sendBuffer;
    this.keepAlive = keepAlive;
    this.trafficClass = trafficClass;
  }

  /**
   * The options of {@code settings}.
   *
   * @throws IllegalArgumentException for an option the Netty transport does not support
   */
  static NettySockets of(ServerSettings settings) {
    boolean noDelay = true;
    boolean reuse = true;
    Integer rcv = null;
    Integer snd = null;
    Boolean keepAlive = null;
    Integer tc = null;
    for (Inet.SocketOption o : CollectionConverters.asJava(settings.socketOptions())) {
      // Pekko's options are Scala case classes nested in objects: matched by class name
      String type = o.getClass().getName();
      Object value = o instanceof Product p && p.productArity() == 1 ? p.productElement(0) : null;
      switch (type) {
        case "org.apache.pekko.io.Tcp$SO$TcpNoDelay" -> noDelay = (Boolean) value;
        case "org.apache.pekko.io.Inet$SO$ReuseAddress" -> reuse = (Boolean) value;
        case "org.apache.pekko.io.Inet$SO$ReceiveBufferSize" -> rcv = (Integer) value;
        case "org.apache.pekko.io.Inet$SO$SendBufferSize" -> snd = (Integer) value;
        case "org.apache.pekko.io.Tcp$SO$KeepAlive" -> keepAlive = (Boolean) value;
        case "org.apache.pekko.io.Inet$SO$TrafficClass" -> tc = (Integer) value;
        default ->
            throw new IllegalArgumentException(
                "pekko.http.server.socket-options: "
                    + o
                    + " is not supported by server.transport netty (use pekko)");
      }
    }
    return new NettySockets(noDelay, reuse, rcv, snd, keepAlive, tc);
  }

  /** Sets the per-connection options that are not bootstrap child options. */
  void apply(Channel ch) {
    if (receiveBuffer != null) {
      ch.config().setOption(ChannelOption.SO_RCVBUF, receiveBuffer);
    }
    if (sendBuffer != null) {
      ch.config().setOption(ChannelOption.SO_SNDBUF, sendBuffer);
    }
    if (keepAlive != null) {
      ch.config().setOption(ChannelOption.SO_KEEPALIVE, keepAlive);
    }
    if (trafficClass != null) {
      ch.config().setOption(ChannelOption.IP_TOS, trafficClass);
    }
  }
}
