package dev.kumaforge.harness.peers.internal;

import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.gateway.config.Route;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The part of a gateway config a peer reproduces: path routes (Exact and PathPrefix) in the
 * gateway's precedence order (Exact, then the longest prefix, ties to the earlier route), each with
 * its weighted backends. What would route requests differently is refused with an error naming the
 * route; policies a peer does not reproduce are listed as notes.
 */
public final class RouteTable {

  /** A path condition kind. */
  public enum Kind {
    EXACT,
    PREFIX
  }

  /**
   * One backend of a route.
   *
   * @param name backend name
   * @param weight share of the route's traffic, > 0
   */
  public record WeightedBackend(String name, int weight) {}

  /**
   * One path match of a route.
   *
   * @param route the route's name
   * @param kind Exact or PathPrefix
   * @param path the path; a prefix has no trailing slash unless it is {@code /}
   * @param backends the route's backends with weight > 0
   */
  public record Entry(String route, Kind kind, String path, List<WeightedBackend> backends) {
    /** A name usable in config identifiers. */
    public String id(int index) {
      return "r" + index + "_" + route.replaceAll("[^A-Za-z0-9_]", "_");
    }
  }

  private final List<Entry> entries;
  private final List<String> notes;

  private RouteTable(List<Entry> entries, List<String> notes) {
    this.entries = List.copyOf(entries);
    this.notes = List.copyOf(notes);
  }

  /**
   * Builds the table of {@code config} for the peer named {@code peer} (used in messages).
   *
   * @throws IllegalArgumentException listing every route feature the peer cannot reproduce
   */
  public static RouteTable of(GatewayConfig config, String peer) {
    List<String> errors = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    record Ordered(Entry entry, int order) {}
    List<Ordered> all = new ArrayList<>();
    int order = 0;
    for (int i = 0; i < config.routes().size(); i++) {
      Route r = config.routes().get(i);
      String where = "routes[" + i + "] (" + r.name() + ")";
      if (!r.hostnames().isEmpty()) {
        errors.add(where + ".hostnames: not reproduced by the " + peer + " peer");
      }
      if (!r.filters().isEmpty()) {
        errors.add(where + ".filters: not reproduced by the " + peer + " peer");
      }
      if (r.rateLimit() != null) {
        notes.add(where + ": rateLimit is not applied by " + peer);
      }
      if (r.authentication() != null || r.llm()) {
        notes.add(
            where
                + ": authentication is not enforced by "
                + peer
                + " (requests reach the backend without credentials)");
      }
      List<WeightedBackend> backends = new ArrayList<>();
      for (Route.BackendRef ref : r.backendRefs()) {
        if (ref.weight() > 0) {
          backends.add(new WeightedBackend(ref.name(), ref.weight()));
        }
      }
      if (backends.isEmpty()) {
        errors.add(where + ".backendRefs: no backend with weight > 0");
      }
      List<Route.Match> matches =
          r.matches().isEmpty() ? List.of(new Route.Match(null, null, null, null)) : r.matches();
      for (int m = 0; m < matches.size(); m++) {
        Route.Match match = matches.get(m);
        String mwhere = where + ".matches[" + m + "]";
        if (match.method() != null) {
          errors.add(mwhere + ".method: not reproduced by the " + peer + " peer");
        }
        if (!match.headers().isEmpty()) {
          errors.add(mwhere + ".headers: not reproduced by the " + peer + " peer");
        }
        if (!match.queryParams().isEmpty()) {
          errors.add(mwhere + ".queryParams: not reproduced by the " + peer + " peer");
        }
        Kind kind = Kind.PREFIX;
        String path = "/";
        if (match.path() != null) {
          Route.PathType type =
              match.path().type() == null ? Route.PathType.PathPrefix : match.path().type();
          if (type == Route.PathType.RegularExpression) {
            errors.add(
                mwhere + ".path: RegularExpression is not reproduced by the " + peer + " peer");
            continue;
          }
          kind = type == Route.PathType.Exact ? Kind.EXACT : Kind.PREFIX;
          path = match.path().value();
          if (kind == Kind.PREFIX && path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
          }
        }
        if (!path.matches("/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*")) {
          errors.add(mwhere + ".path: '" + path + "' has characters a peer config cannot quote");
          continue;
        }
        all.add(new Ordered(new Entry(r.name(), kind, path, List.copyOf(backends)), order++));
      }
    }
    for (int i = 0; i < config.backends().size(); i++) {
      Backend b = config.backends().get(i);
      String where = "backends[" + i + "] (" + b.name() + ")";
      if (b.retry().numRetries() > 0) {
        notes.add(where + ": retry (numRetries " + b.retry().numRetries() + ") not applied");
      }
      if (!b.circuitBreaker().equals(new Backend.MeshCircuitBreaker(null, null))) {
        notes.add(where + ": circuitBreaker settings not applied");
      }
      if (b.healthCheck() != null) {
        notes.add(where + ": active healthCheck not applied");
      }
      if (b.tls() != null) {
        errors.add(where + ".tls: upstream TLS is not reproduced by " + peer);
      }
      if (b.protocol() == Backend.Protocol.h2c && peer.equals("nginx")) {
        notes.add(
            where
                + ": protocol h2c: nginx proxies to upstreams with HTTP/1.1 only"
                + " (the endpoints must answer HTTP/1.1 too)");
      }
    }
    if (config.tracing().requestId() || config.tracing().traceparent()) {
      notes.add("tracing: the peer adds no x-request-id or traceparent header");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(
          "gateway config cannot be reproduced by the "
              + peer
              + " peer:\n  "
              + String.join("\n  ", errors));
    }
    all.sort(
        Comparator.comparingInt((Ordered o) -> o.entry.kind == Kind.EXACT ? 0 : 1)
            .thenComparingInt(o -> -o.entry.path.length())
            .thenComparingInt(o -> o.order));
    List<Entry> entries = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Ordered o : all) {
      // A later route with the same condition never wins in the gateway: drop it.
      if (seen.add(o.entry.kind + " " + o.entry.path)) {
        entries.add(o.entry);
      }
    }
    return new RouteTable(entries, notes);
  }

  /** Entries in precedence order: the first that matches a path wins. */
  public List<Entry> entries() {
    return entries;
  }

  /** Gateway policies the peer does not apply, one sentence each. */
  public List<String> notes() {
    return notes;
  }

  /** True when some Exact entry has the same path as {@code prefix} (which then wins for it). */
  public boolean exactShadows(Entry prefix) {
    return entries.stream().anyMatch(e -> e.kind == Kind.EXACT && e.path.equals(prefix.path));
  }
}
