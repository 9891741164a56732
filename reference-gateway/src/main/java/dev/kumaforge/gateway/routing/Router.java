package dev.kumaforge.gateway.routing;

import dev.kumaforge.gateway.config.Route;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * Routes compiled for matching: the most specific match wins (Exact path, longest PathPrefix,
 * RegularExpression, then method, headers and query parameters), ties go to the earlier route.
 *
 * @param <T> what a route resolves to
 */
public final class Router<T> {
  private final RequestMatcher[] matchers;
  private final Object[] targets;

  private Router(List<Entry> entries) {
    this.matchers = new RequestMatcher[entries.size()];
    this.targets = new Object[entries.size()];
    for (int i = 0; i < entries.size(); i++) {
      matchers[i] = entries.get(i).matcher;
      targets[i] = entries.get(i).target;
    }
  }

  /** Compiles {@code routes}; {@code target} turns each route into what a match returns. */
  public static <T> Router<T> compile(List<Route> routes, Function<Route, T> target) {
    List<Entry> entries = new ArrayList<>();
    int order = 0;
    for (Route r : routes) {
      T t = target.apply(r);
      if (r.matches().isEmpty()) {
        entries.add(new Entry(RequestMatcher.all(r.hostnames()), t, order++));
      } else {
        for (Route.Match m : r.matches()) {
          entries.add(new Entry(new RequestMatcher(m, r.hostnames()), t, order++));
        }
      }
    }
    entries.sort(
        Comparator.comparingLong((Entry e) -> -e.matcher.specificity())
            .thenComparingInt(e -> e.order));
    return new Router<>(entries);
  }

  /** The target of the best matching route, or null when none matches. */
  public T route(HttpRequest request) {
    int i = index(request);
    return i < 0 ? null : target(i);
  }

  /** The index of the best matching entry, or -1; see {@link #target} and {@link #prefix}. */
  public int index(HttpRequest request) {
    return index(request, request.getUri().path());
  }

  /**
   * {@link #index(HttpRequest)} with the request's path already rendered ({@code
   * request.getUri().path()}), which saves rendering it again.
   */
  public int index(HttpRequest request, String path) {
    for (int i = 0; i < matchers.length; i++) {
      if (matchers[i].matches(request, path)) {
        return i;
      }
    }
    return -1;
  }

  /** The target of entry {@code i}. */
  @SuppressWarnings("unchecked")
  public T target(int i) {
    return (T) targets[i];
  }

  /** The PathPrefix entry {@code i} matched on, or null when it matched another path kind. */
  public String prefix(int i) {
    return matchers[i].pathPrefix();
  }

  private record Entry(RequestMatcher matcher, Object target, int order) {}
}
