package dev.kumaforge.gateway.harden;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Normalises a request path (percent-encoded, as received) before routing, authentication and rate
 * limiting: empty segments ({@code //}) collapse, {@code .} and {@code ..} (also as {@code %2e})
 * resolve, never above the root. An encoded slash ({@code %2F}), an encoded or raw backslash and an
 * encoded NUL are refused: a backend that decodes them would see another path than the one checked.
 */
public final class PathNormalizer {
  private PathNormalizer() {}

  /** A path that cannot be normalised safely. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message, null, false, false);
    }
  }

  /** The normalised form of {@code path}; {@code path} itself (same instance) when unchanged. */
  public static String normalize(String path) throws Refused {
    if (path.indexOf('%') >= 0) {
      String lower = path.toLowerCase(Locale.ROOT);
      if (lower.contains("%2f")) {
        throw new Refused("an encoded slash (%2F) in the path is not accepted");
      }
      if (lower.contains("%5c")) {
        throw new Refused("an encoded backslash (%5C) in the path is not accepted");
      }
      if (lower.contains("%00")) {
        throw new Refused("an encoded NUL (%00) in the path is not accepted");
      }
    }
    if (path.indexOf('\\') >= 0) {
      throw new Refused("a backslash in the path is not accepted");
    }
    if (!needsWork(path)) {
      return path;
    }
    List<String> out = new ArrayList<>();
    String[] segments = path.split("/", -1);
    boolean trailingSlash = false;
    for (int i = 0; i < segments.length; i++) {
      String seg = segments[i];
      boolean last = i == segments.length - 1;
      String dots = seg.replace("%2e", ".").replace("%2E", ".");
      if (seg.isEmpty()) {
        trailingSlash = last && i > 0;
      } else if (".".equals(dots)) {
        trailingSlash = last;
      } else if ("..".equals(dots)) {
        if (!out.isEmpty()) {
          out.remove(out.size() - 1);
        }
        trailingSlash = last;
      } else {
        out.add(seg);
        trailingSlash = false;
      }
    }
    StringBuilder sb = new StringBuilder(path.length());
    for (String seg : out) {
      sb.append('/').append(seg);
    }
    if (out.isEmpty() || trailingSlash) {
      sb.append('/');
    }
    String result = sb.toString();
    return result.equals(path) ? path : result;
  }

  /** Cheap pre-check: an empty or dot segment may be present, or no leading slash. */
  private static boolean needsWork(String path) {
    return path.isEmpty()
        || path.charAt(0) != '/'
        || path.contains("//")
        || path.contains("/.")
        || path.contains("/%2e")
        || path.contains("/%2E");
  }
}
