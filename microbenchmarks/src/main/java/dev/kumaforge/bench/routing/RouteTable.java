package dev.kumaforge.bench.routing;

import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.gateway.config.Route;
import dev.kumaforge.gateway.routing.Router;
import java.util.Locale;

/**
 * A realistic generated route table of {@value #ROUTES} MeshHTTPRoute-style routes, parsed and
 * validated from YAML by {@link GatewayConfig#parse} and compiled by {@link Router#compile}.
 *
 * <p>The mix: 400 Exact paths ({@code /api/svc0000/items} ..., every fourth one GET only), 300
 * PathPrefix routes ({@code /svc0000/v2} ..., every third one with an {@code x-tenant} header
 * condition), 100 routes on the shared prefix {@code /v1/chat/completions} told apart by an exact
 * {@code x-model} header (model-000 ... model-099, POST only), and 200 RegularExpression paths
 * ({@code /regex0000/[0-9]+/details} ...). The router tries Exact entries first, then prefixes
 * longest first, then the regexes, so the last regex route is the last entry. There is no catch-all
 * route, so an unknown path scans every entry.
 *
 * <pre>{@code
 * Router<String> router = RouteTable.router(); // route name per match
 * String name = router.route(HttpRequest.create("/api/svc0000/items"));
 * }</pre>
 */
public final class RouteTable {
  /** Number of routes in the table. */
  public static final int ROUTES = 1_000;

  /** Exact-path routes (compiled first). */
  static final int EXACT = 400;

  /** PathPrefix routes with distinct prefixes. */
  static final int PREFIX = 300;

  /** Routes sharing one prefix, told apart by the {@code x-model} header. */
  static final int MODEL = 100;

  /** RegularExpression routes (compiled last). */
  static final int REGEX = ROUTES - EXACT - PREFIX - MODEL;

  private RouteTable() {}

  /** The generated configuration (validated as the gateway validates its file). */
  public static GatewayConfig config() {
    return GatewayConfig.parse(yaml(), "generated route table");
  }

  /** The table compiled as the gateway compiles it, resolving each match to its route name. */
  public static Router<String> router() {
    return Router.compile(config().routes(), Route::name);
  }

  /** The YAML of the generated gateway configuration. */
  static String yaml() {
    StringBuilder y = new StringBuilder(256 * ROUTES);
    y.append("listeners:\n")
        .append("  public: {address: \"127.0.0.1:0\"}\n")
        .append("  admin: {address: \"127.0.0.1:0\"}\n")
        .append("backends:\n")
        .append("  - name: upstream\n")
        .append("    endpoints:\n")
        .append("      - address: \"127.0.0.1:18001\"\n")
        .append("routes:\n");
    for (int i = 0; i < EXACT; i++) {
      route(y, "exact-" + n4(i));
      y.append("      - path: {type: Exact, value: /api/svc").append(n4(i)).append("/items}\n");
      if (i % 4 == 0) {
        y.append("        method: GET\n");
      }
      backend(y);
    }
    for (int i = 0; i < PREFIX; i++) {
      route(y, "prefix-" + n4(i));
      y.append("      - path: {type: PathPrefix, value: /svc").append(n4(i)).append("/v2}\n");
      if (i % 3 == 0) {
        y.append("        headers:\n")
            .append("          - {type: Exact, name: x-tenant, value: tenant-")
            .append(i)
            .append("}\n");
      }
      backend(y);
    }
    for (int i = 0; i < MODEL; i++) {
      route(y, "model-" + n3(i));
      y.append("      - path: {type: PathPrefix, value: /v1/chat/completions}\n")
          .append("        method: POST\n")
          .append("        headers:\n")
          .append("          - {type: Exact, name: x-model, value: model-")
          .append(n3(i))
          .append("}\n");
      backend(y);
    }
    for (int i = 0; i < REGEX; i++) {
      route(y, "regex-" + n4(i));
      y.append("      - path: {type: RegularExpression, value: \"/regex")
          .append(n4(i))
          .append("/[0-9]+/details\"}\n");
      backend(y);
    }
    return y.toString();
  }

  private static void route(StringBuilder y, String name) {
    y.append("  - name: ").append(name).append("\n    matches:\n");
  }

  private static void backend(StringBuilder y) {
    y.append("    backendRefs:\n      - name: upstream\n");
  }

  static String n4(int i) {
    return String.format(Locale.ROOT, "%04d", i);
  }

  static String n3(int i) {
    return String.format(Locale.ROOT, "%03d", i);
  }
}
