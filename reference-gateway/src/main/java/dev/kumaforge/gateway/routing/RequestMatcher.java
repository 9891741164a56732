package dev.kumaforge.gateway.routing;

import dev.kumaforge.gateway.config.Route;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/** One compiled MeshHTTPRoute match: path, method, headers and query parameters, all required. */
final class RequestMatcher {
  private final Route.PathType pathType;
  private final String pathValue;
  private final Pattern pathRegex;
  private final String method;
  private final ValueMatcher[] headers;
  private final ValueMatcher[] queryParams;
  private final String[] hostnames;

  RequestMatcher(Route.Match m, List<String> hostnames) {
    this.hostnames =
        hostnames.stream().map(h -> h.toLowerCase(java.util.Locale.ROOT)).toArray(String[]::new);
    Route.PathMatch path = m.path() == null ? new Route.PathMatch(null, null) : m.path();
    this.pathType = path.type() == null ? Route.PathType.PathPrefix : path.type();
    String value = path.value() == null ? "/" : path.value();
    if (pathType == Route.PathType.PathPrefix && value.length() > 1 && value.endsWith("/")) {
      value = value.substring(0, value.length() - 1);
    }
    this.pathValue = value;
    this.pathRegex = pathType == Route.PathType.RegularExpression ? Pattern.compile(value) : null;
    this.method = m.method();
    this.headers = m.headers().stream().map(ValueMatcher::new).toArray(ValueMatcher[]::new);
    this.queryParams = m.queryParams().stream().map(ValueMatcher::new).toArray(ValueMatcher[]::new);
  }

  /** A matcher that matches everything (a route without matches). */
  static RequestMatcher all(List<String> hostnames) {
    return new RequestMatcher(new Route.Match(null, null, List.of(), List.of()), hostnames);
  }

  /** The PathPrefix this matcher requires, or null for other path kinds. */
  String pathPrefix() {
    return pathType == Route.PathType.PathPrefix ? pathValue : null;
  }

  /**
   * Precedence as in the Gateway API: Exact path, then the longest prefix, then regex; then method,
   * number of header and query conditions. Larger sorts first.
   */
  long specificity() {
    long rank =
        switch (pathType) {
          case Exact -> 3;
          case PathPrefix -> 2;
          case RegularExpression -> 1;
        };
    long len =
        pathType == Route.PathType.RegularExpression ? 0 : Math.min(pathValue.length(), 4095);
    return (rank << 40)
        | (len << 28)
        | ((method != null ? 1L : 0L) << 25)
        | ((hostnames.length > 0 ? 1L : 0L) << 24)
        | ((long) Math.min(headers.length, 255) << 16)
        | ((long) Math.min(queryParams.length, 255) << 8);
  }

  boolean matches(HttpRequest request, String path) {
    if (!matchesPath(path)) {
      return false;
    }
    if (method != null && !method.equals(request.method().value())) {
      return false;
    }
    if (hostnames.length > 0 && !matchesHost(request.getUri().host().address())) {
      return false;
    }
    for (ValueMatcher h : headers) {
      if (!h.test(header(request, h.name))) {
        return false;
      }
    }
    if (queryParams.length > 0) {
      var query = request.getUri().query();
      for (ValueMatcher q : queryParams) {
        Optional<String> v = query.get(q.name);
        if (!q.test(v.orElse(null))) {
          return false;
        }
      }
    }
    return true;
  }

  private boolean matchesHost(String host) {
    for (String h : hostnames) {
      if (h.startsWith("*.")
          ? host.length() > h.length() - 1
              && host.regionMatches(true, host.length() - (h.length() - 1), h, 1, h.length() - 1)
          : h.equalsIgnoreCase(host)) {
        return true;
      }
    }
    return false;
  }

  boolean matchesPath(String path) {
    return switch (pathType) {
      case Exact -> path.equals(pathValue);
      case PathPrefix -> {
        if (pathValue.length() == 1) {
          yield true;
        }
        yield path.startsWith(pathValue)
            && (path.length() == pathValue.length() || path.charAt(pathValue.length()) == '/');
      }
      case RegularExpression -> pathRegex.matcher(path).matches();
    };
  }

  private static String header(HttpRequest request, String lowerName) {
    for (HttpHeader h : request.getHeaders()) {
      if (h.is(lowerName)) {
        return h.value();
      }
    }
    return null;
  }

  /** A compiled header or query condition. */
  private static final class ValueMatcher {
    final Route.ValueType type;
    final String name;
    final String value;
    final Pattern regex;

    ValueMatcher(Route.ValueMatch m) {
      this.type = m.type();
      this.name = m.lowerName();
      this.value = m.value();
      this.regex = type == Route.ValueType.RegularExpression ? Pattern.compile(m.value()) : null;
    }

    boolean test(String actual) {
      return switch (type) {
        case Present -> actual != null;
        case Absent -> actual == null;
        case Exact -> value.equals(actual);
        case Prefix -> actual != null && actual.startsWith(value);
        case RegularExpression -> actual != null && regex.matcher(actual).matches();
      };
    }
  }
}
