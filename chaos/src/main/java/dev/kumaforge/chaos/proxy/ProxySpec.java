package dev.kumaforge.chaos.proxy;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;

/**
 * A proxy to create: the fields of Toxiproxy's {@code POST /proxies} and {@code /populate}, also
 * the entries of the {@code proxies:} list of a config file.
 *
 * @param name unique name (no {@code /}, {@code ?}, {@code #}, whitespace)
 * @param listen {@code host:port} to listen on; port 0 picks a free port (default {@code
 *     127.0.0.1:0})
 * @param upstream {@code host:port} to forward to
 * @param enabled whether the proxy listens (default true); false = down
 */
public record ProxySpec(String name, String listen, String upstream, Boolean enabled)
    implements Validatable {

  /** The default listen address when none is given. */
  public static final String DEFAULT_LISTEN = "127.0.0.1:0";

  /** {@code enabled}, defaulting to true. */
  public boolean isEnabled() {
    return enabled == null || enabled;
  }

  /** {@code listen}, defaulting to {@link #DEFAULT_LISTEN}. */
  public String listenOrDefault() {
    return listen == null || listen.isEmpty() ? DEFAULT_LISTEN : listen;
  }

  /** The same proxy listening on an ephemeral port of the same host. */
  public ProxySpec withEphemeralPort() {
    HostPort hp = HostPort.parse(listenOrDefault(), true);
    String host = hp.host().contains(":") ? "[" + hp.host() + "]" : hp.host();
    return new ProxySpec(name, host + ":0", upstream, enabled);
  }

  @Override
  public void validate(Validator v) {
    if (v.required(name, "name")) {
      v.check(validName(name), "name", "'" + name + "'", "no '/', '?', '#', '%' or whitespace");
    }
    if (listen != null && !listen.isEmpty()) {
      HostPort.problem(listen, true).ifPresent(p -> v.error("listen", p));
    }
    if (v.required(upstream, "upstream")) {
      HostPort.problem(upstream, false).ifPresent(p -> v.error("upstream", p));
    }
  }

  /** Whether {@code name} can be used in an API path. */
  public static boolean validName(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == '?' || c == '#' || c == '%' || Character.isWhitespace(c) || c < 0x20) {
        return false;
      }
    }
    return true;
  }
}
