package dev.kumaforge.gateway.config;

/**
 * A {@code host:port} address as written in the config.
 *
 * @param host host name or IP address
 * @param port TCP port, 0 to 65535
 */
public record HostPort(String host, int port) {
  /** What an address must look like, for error messages. */
  public static final String EXPECTED = "host:port with a port from 0 to 65535";

  /** Parses {@code host:port}; throws {@link IllegalArgumentException} when malformed. */
  public static HostPort parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("null (expected: " + EXPECTED + ")");
    }
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("'" + text + "' (expected: " + EXPECTED + ")");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' (expected: " + EXPECTED + ")", e);
    }
    if (port < 0 || port > 65535 || host.isBlank()) {
      throw new IllegalArgumentException("'" + text + "' (expected: " + EXPECTED + ")");
    }
    return new HostPort(host, port);
  }

  /** True when {@code text} parses. */
  public static boolean isValid(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Whether the host is a loopback address: {@code localhost}, {@code 127.x.x.x} or {@code ::1} (no
   * name is resolved; any other name counts as reachable from outside).
   */
  public boolean isLoopback() {
    String h = host.toLowerCase(java.util.Locale.ROOT);
    return h.equals("localhost")
        || h.matches("127(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}")
        || h.equals("::1")
        || h.equals("0:0:0:0:0:0:0:1");
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
