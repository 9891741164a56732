package dev.kumaforge.gateway.config;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.gateway.auth.RouteAuthentication;
import dev.kumaforge.gateway.tls.TrafficPermission;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A MeshHTTPRoute-style route: any of its matches selects it, its backendRefs receive the traffic.
 *
 * @param name unique route name (a metric label)
 * @param matches alternatives; an empty list matches every request
 * @param backendRefs weighted backends
 * @param rateLimit MeshRateLimit for this route (local, or shared through Redis)
 * @param hostnames Host header values this route serves (exact, or {@code *.example.com}); empty:
 *     any host
 * @param filters request/response header modifiers, URL rewrite, redirect
 * @param llm served by the AI gateway ({@code ai} section) instead of backendRefs (default false)
 * @param trafficPermission allow/deny by client SPIFFE ID (mTLS listeners), or null for none
 * @param authentication credentials this route accepts or requires, or null for none (LLM routes
 *     then require an API key or JWT)
 */
public record Route(
    String name,
    List<Match> matches,
    List<BackendRef> backendRefs,
    MeshRateLimit rateLimit,
    List<String> hostnames,
    List<Filter> filters,
    Boolean llm,
    TrafficPermission trafficPermission,
    RouteAuthentication authentication)
    implements Validatable {

  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

  public Route {
    matches = GatewayConfig.immutable(matches);
    backendRefs = GatewayConfig.immutable(backendRefs);
    hostnames = GatewayConfig.immutable(hostnames);
    filters = GatewayConfig.immutable(filters);
    llm = llm != null && llm;
  }

  @Override
  public void validate(Validator v) {
    if (v.required(name, "name")) {
      v.check(name.matches("[A-Za-z0-9_.-]+"), "name", "'" + name + "'", "letters, digits, _ . -");
    }
    v.each("matches", matches, (mv, m) -> m.validate(mv));
    v.each(
        "hostnames",
        hostnames,
        (hv, h) ->
            hv.check(
                h.matches("(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?"),
                "",
                "'" + h + "'",
                "a host name such as api.example.com or *.example.com"));
    v.each("filters", filters, (fv, f) -> f.validate(fv));
    if (trafficPermission != null) {
      trafficPermission.validate(v.at("trafficPermission"));
    }
    if (authentication != null) {
      authentication.validate(v.at("authentication"));
      v.check(
          !llm || authentication.required(),
          "authentication.required",
          false,
          "true on a route with llm: true (LLM requests are charged to a consumer)");
    }
    boolean redirect =
        filters.stream().anyMatch(f -> f != null && f.type() == FilterType.RequestRedirect);
    if (redirect || llm) {
      if (rateLimit != null) {
        rateLimit.validate(v.at("rateLimit"));
      }
      return;
    }
    if (v.check(!backendRefs.isEmpty(), "backendRefs", "[]", "at least one backendRef")) {
      v.each(
          "backendRefs",
          backendRefs,
          (bv, b) -> {
            bv.required(b.name(), "name");
            bv.check(b.weight() >= 0, "weight", b.weight(), ">= 0");
          });
      v.check(
          backendRefs.stream().anyMatch(b -> b != null && b.weight() > 0),
          "backendRefs",
          "all weights 0",
          "at least one backendRef with weight > 0");
    }
    if (rateLimit != null) {
      rateLimit.validate(v.at("rateLimit"));
    }
  }

  /** Path match kinds, as in MeshHTTPRoute. */
  public enum PathType {
    Exact,
    PathPrefix,
    RegularExpression
  }

  /** Header and query match kinds, as in MeshHTTPRoute. */
  public enum ValueType {
    Exact,
    Present,
    RegularExpression,
    Absent,
    Prefix
  }

  /**
   * One match: every given condition must hold.
   *
   * @param path path condition
   * @param method HTTP method (upper case)
   * @param headers header conditions (names are case-insensitive)
   * @param queryParams query parameter conditions
   */
  public record Match(
      PathMatch path, String method, List<ValueMatch> headers, List<ValueMatch> queryParams) {
    public Match {
      headers = GatewayConfig.immutable(headers);
      queryParams = GatewayConfig.immutable(queryParams);
    }

    void validate(Validator v) {
      if (path != null) {
        Validator pv = v.at("path");
        if (pv.required(path.type(), "type") && pv.required(path.value(), "value")) {
          if (path.type() == PathType.RegularExpression) {
            checkRegex(pv, path.value());
          } else {
            pv.check(path.value().startsWith("/"), "value", "'" + path.value() + "'", "/...");
          }
        }
      }
      if (method != null) {
        v.check(
            METHODS.contains(method),
            "method",
            "'" + method + "'",
            "one of " + new java.util.TreeSet<>(METHODS));
      }
      v.each("headers", headers, (hv, h) -> h.validate(hv));
      v.each("queryParams", queryParams, (qv, q) -> q.validate(qv));
    }
  }

  /**
   * A path condition.
   *
   * @param type Exact, PathPrefix (whole segments: /v1 matches /v1 and /v1/x, not /v1x) or
   *     RegularExpression (whole path)
   * @param value the path, prefix or regex
   */
  public record PathMatch(PathType type, String value) {}

  /**
   * A header or query parameter condition.
   *
   * @param type Exact (default), Present, Absent, Prefix or RegularExpression
   * @param name header or parameter name
   * @param value expected value (not for Present and Absent)
   */
  public record ValueMatch(ValueType type, String name, String value) {
    public ValueMatch {
      type = type == null ? ValueType.Exact : type;
    }

    void validate(Validator v) {
      v.required(name, "name");
      if (type != ValueType.Present && type != ValueType.Absent && v.required(value, "value")) {
        if (type == ValueType.RegularExpression) {
          checkRegex(v, value);
        }
      }
    }

    /** The name in lower case. */
    public String lowerName() {
      return name.toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A weighted reference to a backend.
   *
   * @param name backend name
   * @param weight share of traffic, default 1
   */
  public record BackendRef(String name, Integer weight) {
    public BackendRef {
      weight = weight == null ? 1 : weight;
    }
  }

  /** What a rate limit bucket is keyed by. */
  public enum RateLimitKey {
    Route,
    ClientIp,
    Header
  }

  /**
   * MeshRateLimit HTTP limit: a token bucket refilled with {@code num} tokens every {@code
   * interval}, local to this gateway or, with {@code shared}, shared by every replica through
   * Redis.
   *
   * @param num tokens per interval
   * @param interval refill interval, default 1s
   * @param burst bucket capacity, default num
   * @param key Route (default, one bucket), ClientIp or Header (one bucket per value)
   * @param header header name for key Header
   * @param shared the bucket lives in Redis (GCRA), or null for a local bucket
   */
  public record MeshRateLimit(
      Integer num,
      Duration interval,
      Integer burst,
      RateLimitKey key,
      String header,
      SharedLimit shared) {
    public MeshRateLimit {
      interval = interval == null ? Duration.ofSeconds(1) : interval;
      burst = burst == null ? num : burst;
      key = key == null ? RateLimitKey.Route : key;
    }

    /** A local limit. */
    public MeshRateLimit(
        Integer num, Duration interval, Integer burst, RateLimitKey key, String header) {
      this(num, interval, burst, key, header, null);
    }

    void validate(Validator v) {
      if (v.required(num, "num")) {
        v.check(num >= 1, "num", num, ">= 1");
        v.check(burst != null && burst >= 1, "burst", burst, ">= 1");
      }
      GatewayConfig.positive(v, interval, "interval");
      if (key == RateLimitKey.Header) {
        v.required(header, "header");
      }
      if (shared != null) {
        shared.validate(v.at("shared"));
      }
    }

    /** The local bucket used while Redis fails with failureMode Open (the same key). */
    public MeshRateLimit localCapLimit() {
      LocalCap cap = shared == null ? null : shared.localCap();
      if (cap == null) {
        return new MeshRateLimit(num, interval, burst, key, header);
      }
      return new MeshRateLimit(cap.num(), cap.interval(), cap.burst(), key, header);
    }
  }

  /** What a shared limit does while Redis fails or times out. */
  public enum FailureMode {
    /** Decide with the local cap (a local token bucket per replica). */
    Open,
    /** Refuse with 503 rate_limiter_unavailable. */
    Closed
  }

  /**
   * A rate limit shared by gateway replicas through Redis.
   *
   * @param redis name of a connection in the top-level {@code redis} section
   * @param timeout deadline of each Redis decision, default 50ms
   * @param failureMode Open (default) or Closed
   * @param localCap the local limit while failing open, default: the limit itself per replica
   */
  public record SharedLimit(
      String redis, Duration timeout, FailureMode failureMode, LocalCap localCap) {
    public SharedLimit {
      timeout = timeout == null ? Duration.ofMillis(50) : timeout;
      failureMode = failureMode == null ? FailureMode.Open : failureMode;
    }

    void validate(Validator v) {
      v.required(redis, "redis");
      GatewayConfig.positive(v, timeout, "timeout");
      if (localCap != null) {
        Validator cv = v.at("localCap");
        if (cv.required(localCap.num(), "num")) {
          cv.check(localCap.num() >= 1, "num", localCap.num(), ">= 1");
          cv.check(
              localCap.burst() != null && localCap.burst() >= 1, "burst", localCap.burst(), ">= 1");
        }
        GatewayConfig.positive(cv, localCap.interval(), "interval");
        v.check(
            failureMode == FailureMode.Open,
            "failureMode",
            failureMode,
            "Open when localCap is set");
      }
    }
  }

  /**
   * The local token bucket a replica uses while Redis fails (failureMode Open).
   *
   * @param num tokens per interval
   * @param interval refill interval, default 1s
   * @param burst capacity, default num
   */
  public record LocalCap(Integer num, Duration interval, Integer burst) {
    public LocalCap {
      interval = interval == null ? Duration.ofSeconds(1) : interval;
      burst = burst == null ? num : burst;
    }
  }

  /** Filter kinds, as in MeshHTTPRoute. */
  public enum FilterType {
    RequestHeaderModifier,
    ResponseHeaderModifier,
    URLRewrite,
    RequestRedirect,
    RequestMirror
  }

  /**
   * A MeshHTTPRoute filter; the key named after the type holds its settings.
   *
   * @param type the filter kind
   * @param requestHeaderModifier for RequestHeaderModifier
   * @param responseHeaderModifier for ResponseHeaderModifier
   * @param urlRewrite for URLRewrite
   * @param requestRedirect for RequestRedirect (the route then has no backendRefs)
   * @param requestMirror for RequestMirror
   */
  public record Filter(
      FilterType type,
      HeaderModifier requestHeaderModifier,
      HeaderModifier responseHeaderModifier,
      UrlRewrite urlRewrite,
      Redirect requestRedirect,
      Mirror requestMirror) {
    void validate(Validator v) {
      if (!v.required(type, "type")) {
        return;
      }
      switch (type) {
        case RequestHeaderModifier -> {
          if (v.required(requestHeaderModifier, "requestHeaderModifier")) {
            requestHeaderModifier.validate(v.at("requestHeaderModifier"));
          }
        }
        case ResponseHeaderModifier -> {
          if (v.required(responseHeaderModifier, "responseHeaderModifier")) {
            responseHeaderModifier.validate(v.at("responseHeaderModifier"));
          }
        }
        case URLRewrite -> {
          if (v.required(urlRewrite, "urlRewrite")
              && v.required(urlRewrite.path(), "urlRewrite.path")) {
            Validator pv = v.at("urlRewrite.path");
            PathRewrite p = urlRewrite.path();
            if (pv.required(p.type(), "type")) {
              String value =
                  p.type() == RewriteType.ReplacePrefixMatch
                      ? p.replacePrefixMatch()
                      : p.replaceFullPath();
              String key =
                  p.type() == RewriteType.ReplacePrefixMatch
                      ? "replacePrefixMatch"
                      : "replaceFullPath";
              if (pv.required(value, key)) {
                pv.check(value.startsWith("/"), key, "'" + value + "'", "/...");
              }
            }
          }
        }
        case RequestMirror -> {
          if (v.required(requestMirror, "requestMirror")
              && v.required(requestMirror.backendRef(), "requestMirror.backendRef")) {
            v.required(requestMirror.backendRef().name(), "requestMirror.backendRef.name");
            double pct = requestMirror.percentage();
            v.check(pct >= 0 && pct <= 100, "requestMirror.percentage", pct, "0 to 100");
          }
        }
        case RequestRedirect -> {
          if (v.required(requestRedirect, "requestRedirect")) {
            Integer code = requestRedirect.statusCode();
            v.check(
                code == null
                    || code == 301
                    || code == 302
                    || code == 303
                    || code == 307
                    || code == 308,
                "requestRedirect.statusCode",
                code,
                "one of 301, 302, 303, 307, 308");
            String scheme = requestRedirect.scheme();
            v.check(
                scheme == null || scheme.equals("http") || scheme.equals("https"),
                "requestRedirect.scheme",
                "'" + scheme + "'",
                "http or https");
          }
        }
      }
    }
  }

  /**
   * Request mirroring: a copy of a share of the requests (with bodies held in memory) goes to
   * another backend; its responses are discarded.
   *
   * @param backendRef the mirror backend
   * @param percentage share of requests mirrored, default 100
   */
  public record Mirror(BackendRef backendRef, Double percentage) {
    public Mirror {
      percentage = percentage == null ? 100.0 : percentage;
    }
  }

  /**
   * Header changes: {@code set} replaces, {@code add} appends, {@code remove} deletes by name.
   *
   * @param set headers to set
   * @param add headers to add
   * @param remove header names to remove
   */
  public record HeaderModifier(List<Header> set, List<Header> add, List<String> remove) {
    public HeaderModifier {
      set = GatewayConfig.immutable(set);
      add = GatewayConfig.immutable(add);
      remove = GatewayConfig.immutable(remove);
    }

    void validate(Validator v) {
      v.each("set", set, (hv, h) -> h.validate(hv));
      v.each("add", add, (hv, h) -> h.validate(hv));
      v.each("remove", remove, (rv, r) -> rv.check(!r.isBlank(), "", "''", "a header name"));
    }
  }

  /**
   * A header name and value.
   *
   * @param name header name
   * @param value header value
   */
  public record Header(String name, String value) {
    void validate(Validator v) {
      if (v.required(name, "name")) {
        v.check(
            name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+"), "name", "'" + name + "'", "a header name");
      }
      v.required(value, "value");
    }
  }

  /** Path rewrite kinds. */
  public enum RewriteType {
    ReplacePrefixMatch,
    ReplaceFullPath
  }

  /**
   * URL rewrite.
   *
   * @param hostname new Host header, optional
   * @param path path rewrite, required
   */
  public record UrlRewrite(String hostname, PathRewrite path) {}

  /**
   * Path rewrite: the matched PathPrefix replaced, or the whole path.
   *
   * @param type ReplacePrefixMatch or ReplaceFullPath
   * @param replacePrefixMatch new prefix
   * @param replaceFullPath new path
   */
  public record PathRewrite(RewriteType type, String replacePrefixMatch, String replaceFullPath) {}

  /**
   * Redirect answered by the gateway itself.
   *
   * @param scheme http or https, default: the request's
   * @param hostname default: the request's host
   * @param port default: the request's port
   * @param path new path, default: the request's
   * @param statusCode 301, 302 (default), 303, 307 or 308
   */
  public record Redirect(
      String scheme, String hostname, Integer port, String path, Integer statusCode) {}

  static void checkRegex(Validator v, String regex) {
    try {
      Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      v.error(
          "value",
          "'" + regex + "' (expected: a valid regular expression: " + e.getDescription() + ")");
    }
  }
}
