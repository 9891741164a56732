package dev.kumaforge.gateway.internal;

/**
 * Makes Lettuce use epoll (or NIO) rather than io_uring. forge.jar holds both native transports
 * (io_uring comes with Gatling), and Lettuce 7.2.1 then pairs epoll channels with an io_uring event
 * loop: every connection fails with "incompatible event loop type". Must run before the first
 * Lettuce client is created; an explicit {@code -Dio.lettuce.core.iouring=...} wins.
 */
public final class LettuceTransport {
  private static final String IO_URING = "io.lettuce.core.iouring";

  private LettuceTransport() {}

  /** Disables Lettuce's io_uring transport unless the system property is set already. */
  public static void withoutIoUring() {
    if (System.getProperty(IO_URING) == null) {
      System.setProperty(IO_URING, "false");
    }
  }
}
