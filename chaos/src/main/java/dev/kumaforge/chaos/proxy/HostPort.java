package dev.kumaforge.chaos.proxy;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * A {@code host:port} address as Toxiproxy writes it ({@code [::1]:8080} for IPv6).
 *
 * @param host host name or literal; empty means all interfaces (listen addresses only)
 * @param port 0 to 65535 (0 = any free port, listen addresses only)
 */
public record HostPort(String host, int port) {

  /** Parses {@code text}; {@code listen} allows an empty host and port 0. */
  public static HostPort parse(String text, boolean listen) {
    Optional<String> problem = problem(text, listen);
    if (problem.isPresent()) {
      throw new IllegalArgumentException(problem.get());
    }
    int colon = text.lastIndexOf(':');
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new HostPort(host, Integer.parseInt(text.substring(colon + 1)));
  }

  /** Why {@code text} is not a valid address, or empty when it is. */
  public static Optional<String> problem(String text, boolean listen) {
    String expected =
        listen
            ? "host:port with port 0 to 65535, e.g. 127.0.0.1:0"
            : "host:port with port 1 to 65535, e.g. 127.0.0.1:8080";
    if (text == null || text.isBlank()) {
      return Optional.of("'' (expected: " + expected + ")");
    }
    int colon = text.lastIndexOf(':');
    String bad = "'" + text + "' (expected: " + expected + ")";
    if (colon < 0 || text.chars().anyMatch(Character::isWhitespace)) {
      return Optional.of(bad);
    }
    String host = text.substring(0, colon);
    String port = text.substring(colon + 1);
    if (host.contains(":") && !(host.startsWith("[") && host.endsWith("]"))) {
      return Optional.of(bad);
    }
    if ((host.isEmpty() && !listen) || port.isEmpty() || port.length() > 5) {
      return Optional.of(bad);
    }
    for (int i = 0; i < port.length(); i++) {
      if (!Character.isDigit(port.charAt(i))) {
        return Optional.of(bad);
      }
    }
    int p = Integer.parseInt(port);
    if (p > 65535 || (p == 0 && !listen)) {
      return Optional.of(bad);
    }
    return Optional.empty();
  }

  /** An unresolved socket address (resolved at bind or connect time). */
  public InetSocketAddress toSocketAddress() {
    return host.isEmpty()
        ? new InetSocketAddress(port)
        : InetSocketAddress.createUnresolved(host, port);
  }

  /** The Toxiproxy spelling of a bound address. */
  public static String format(InetSocketAddress address) {
    String host = address.getAddress() != null ? address.getAddress().getHostAddress() : "";
    if (address.getAddress() == null) {
      host = address.getHostString();
    }
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return host + ":" + address.getPort();
  }
}
