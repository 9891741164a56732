package dev.kumaforge.common.tls;

import java.util.regex.Pattern;

/**
 * A SPIFFE ID, {@code spiffe://<trust-domain>/<path>}, as carried in the one URI SAN of a workload
 * certificate.
 *
 * @param trustDomain lowercase letters, digits, dots, dashes and underscores
 * @param path {@code /} followed by segments of letters, digits, dots, dashes and underscores
 */
public record SpiffeId(String trustDomain, String path) {
  private static final Pattern TRUST_DOMAIN = Pattern.compile("^[a-z0-9._-]{1,255}$");
  private static final Pattern PATH = Pattern.compile("^(/[A-Za-z0-9._-]+)+$");

  public SpiffeId {
    if (trustDomain == null || !TRUST_DOMAIN.matcher(trustDomain).matches()) {
      throw new IllegalArgumentException(
          "SPIFFE trust domain '"
              + trustDomain
              + "' (expected: lowercase letters, digits, '.', '-', '_')");
    }
    if (path == null || !PATH.matcher(path).matches()) {
      throw new IllegalArgumentException(
          "SPIFFE path '" + path + "' (expected: /segment[/segment...], no empty, '.' or '..')");
    }
    for (String segment : path.substring(1).split("/")) {
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("SPIFFE path '" + path + "' has a '.' or '..' segment");
      }
    }
  }

  /** Parses {@code spiffe://trust-domain/path}; the message names what was wrong. */
  public static SpiffeId parse(String uri) {
    String prefix = "spiffe://";
    if (uri == null || !uri.startsWith(prefix)) {
      throw new IllegalArgumentException(
          "'" + uri + "' is not a SPIFFE ID (expected: spiffe://<trust-domain>/<path>)");
    }
    String rest = uri.substring(prefix.length());
    int slash = rest.indexOf('/');
    if (slash <= 0) {
      throw new IllegalArgumentException(
          "'" + uri + "' has no path (expected: spiffe://<trust-domain>/<path>)");
    }
    if (rest.contains("?") || rest.contains("#") || rest.contains("@") || rest.contains(":")) {
      throw new IllegalArgumentException(
          "'" + uri + "' has a port, user, query or fragment, which SPIFFE IDs never have");
    }
    return new SpiffeId(rest.substring(0, slash), rest.substring(slash));
  }

  @Override
  public String toString() {
    return "spiffe://" + trustDomain + path;
  }
}
