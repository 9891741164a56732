package dev.kumaforge.gateway.config;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.common.config.YamlConfig;
import dev.kumaforge.gateway.auth.AdminAuthentication;
import dev.kumaforge.gateway.auth.AuthenticationConfig;
import dev.kumaforge.gateway.consumer.ConsumerConfig;
import dev.kumaforge.gateway.tls.TlsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole reference gateway configuration, one immutable snapshot; every key is documented in
 * {@code reference.yaml}.
 *
 * <pre>{@code
 * GatewayConfig config = GatewayConfig.load(Path.of("examples/quickstart.yaml"));
 * }</pre>
 *
 * @param listeners {@code public} and {@code admin} listeners
 * @param backends upstream backends
 * @param routes MeshHTTPRoute-style routes
 * @param shutdown graceful shutdown settings
 * @param accessLog optional JSON access log
 * @param tracing request id and W3C trace context headers
 * @param reload config file watching
 * @param consumers API consumers identified by hashed API keys (LLM routes require one)
 * @param ai the AI gateway's model catalog and sessions, for routes with {@code llm: true}
 * @param authentication API key files and JWT providers for routes with {@code authentication}
 * @param upstream the upstream transport's defaults and Netty event loops
 * @param redis named Redis servers for shared rate limits (read at start only)
 * @param server the listeners' socket transport (read at start only)
 */
public record GatewayConfig(
    Map<String, Listener> listeners,
    List<Backend> backends,
    List<Route> routes,
    Shutdown shutdown,
    AccessLog accessLog,
    Tracing tracing,
    Reload reload,
    List<ConsumerConfig> consumers,
    AiConfig ai,
    AuthenticationConfig authentication,
    Upstream upstream,
    Map<String, RedisConnection> redis,
    Server server)
    implements Validatable {

  /** Name of the public listener. */
  public static final String PUBLIC = "public";

  /** Name of the admin listener. */
  public static final String ADMIN = "admin";

  public GatewayConfig {
    listeners =
        listeners == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(listeners));
    backends = immutable(backends);
    routes = immutable(routes);
    shutdown = shutdown == null ? new Shutdown(null) : shutdown;
    accessLog = accessLog == null ? new AccessLog(null) : accessLog;
    tracing = tracing == null ? new Tracing(null, null) : tracing;
    reload = reload == null ? new Reload(null, null) : reload;
    consumers = immutable(consumers);
    upstream = upstream == null ? new Upstream(null, null) : upstream;
    redis = redis == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(redis));
    server = server == null ? new Server(null, null, null) : server;
  }

  /**
   * Loads and validates {@code file}; throws a ConfigException listing every error. Relative file
   * names (listener TLS files) resolve against the file's folder, and the files are then read and
   * checked.
   */
  public static GatewayConfig load(Path file) {
    GatewayConfig c = YamlConfig.load(file, GatewayConfig.class);
    return c.withFilesChecked(file.toAbsolutePath().normalize().getParent(), file.toString());
  }

  /**
   * Parses and validates YAML {@code text}; {@code source} names it in errors. Relative file names
   * resolve against the working directory.
   */
  public static GatewayConfig parse(String text, String source) {
    GatewayConfig c = YamlConfig.parse(text, source, GatewayConfig.class);
    return c.withFilesChecked(Path.of("").toAbsolutePath(), source);
  }

  /** Resolves listener TLS files against {@code dir}, reads them and reports every problem. */
  private GatewayConfig withFilesChecked(Path dir, String source) {
    Map<String, Listener> resolved = new LinkedHashMap<>();
    Validator v = Validator.root();
    listeners.forEach(
        (name, l) -> {
          Listener r = l.tls() == null ? l : l.withTls(l.tls().resolvedAgainst(dir));
          if (r.tls() != null) {
            r.tls().checkFiles(v.at("listeners").at(name).at("tls"));
          }
          resolved.put(name, r);
        });
    v.throwIfInvalid(source);
    return withListeners(resolved);
  }

  /** The backend named {@code name}, or null. */
  public Backend backend(String name) {
    for (Backend b : backends) {
      if (b.name().equals(name)) {
        return b;
      }
    }
    return null;
  }

  /** This config with different listener addresses (the rest unchanged). */
  public GatewayConfig withListeners(Map<String, Listener> newListeners) {
    return new GatewayConfig(
        newListeners,
        backends,
        routes,
        shutdown,
        accessLog,
        tracing,
        reload,
        consumers,
        ai,
        authentication,
        upstream,
        redis,
        server);
  }

  @Override
  public void validate(Validator v) {
    Validator lv = v.at("listeners");
    for (String name : listeners.keySet()) {
      lv.check(
          PUBLIC.equals(name) || ADMIN.equals(name),
          name,
          "unknown listener",
          "one of [public, admin]");
    }
    for (String name : List.of(PUBLIC, ADMIN)) {
      Listener l = listeners.get(name);
      if (lv.required(l, name)) {
        l.validate(lv.at(name));
      }
    }
    validateListenerAuthentication(lv);
    if (authentication != null) {
      authentication.validate(v.at("authentication"));
    }
    if (v.check(!backends.isEmpty(), "backends", "[]", "at least one backend")) {
      Set<String> names = new HashSet<>();
      v.each(
          "backends",
          backends,
          (bv, b) -> {
            b.validate(bv);
            if (b.name() != null) {
              bv.check(names.add(b.name()), "name", b.name(), "a unique backend name");
            }
          });
    }
    if (v.check(!routes.isEmpty(), "routes", "[]", "at least one route")) {
      Set<String> names = new HashSet<>();
      v.each(
          "routes",
          routes,
          (rv, r) -> {
            r.validate(rv);
            if (r.name() != null) {
              rv.check(names.add(r.name()), "name", r.name(), "a unique route name");
            }
            rv.each(
                "filters",
                r.filters(),
                (fv, f) -> {
                  if (f.requestMirror() != null
                      && f.requestMirror().backendRef() != null
                      && f.requestMirror().backendRef().name() != null) {
                    String name = f.requestMirror().backendRef().name();
                    fv.check(
                        backend(name) != null,
                        "requestMirror.backendRef.name",
                        "'" + name + "'",
                        "the name of a backend in backends[]");
                  }
                });
            rv.each(
                "backendRefs",
                r.backendRefs(),
                (bv, ref) -> {
                  if (ref.name() != null) {
                    bv.check(
                        backend(ref.name()) != null,
                        "name",
                        "'" + ref.name() + "'",
                        "the name of a backend in backends[]");
                  }
                });
            if (r.rateLimit() != null
                && r.rateLimit().shared() != null
                && r.rateLimit().shared().redis() != null) {
              String name = r.rateLimit().shared().redis();
              rv.check(
                  redis.containsKey(name),
                  "rateLimit.shared.redis",
                  "'" + name + "'",
                  "the name of a connection in redis");
            }
          });
    }
    Validator redisV = v.at("redis");
    redis.forEach(
        (name, c) -> {
          if (redisV.required(c, name)) {
            c.validate(redisV.at(name));
          }
        });
    validateAi(v);
    shutdown.validate(v.at("shutdown"));
    positive(v.at("reload"), reload.pollInterval(), "pollInterval");
    upstream.validate(v.at("upstream"));
    server.validate(v.at("server"));
    v.each(
        "backends",
        backends,
        (bv, b) -> {
          if (b.protocol() == Backend.Protocol.h2c && b.tls() != null) {
            bv.check(
                false,
                "protocol",
                "h2c",
                "http1 or h2 for a backend with tls (h2c is HTTP/2 over plain TCP)");
          } else if (b.protocol() == Backend.Protocol.h2 && b.tls() == null) {
            bv.check(
                false,
                "protocol",
                "h2",
                "h2c or http1 for a backend without tls (h2 is HTTP/2 over TLS)");
          } else if (b.protocol() != Backend.Protocol.http1
              && transportOf(b) == Backend.Transport.pekko) {
            bv.check(
                false,
                "protocol",
                b.protocol().name(),
                "http1 with connectionPool.transport pekko ("
                    + b.protocol().name()
                    + " needs the netty transport)");
          }
        });
  }

  /**
   * The transport of {@code backend}: its own {@code connectionPool.transport}, else netty for h2c,
   * else the default.
   */
  public Backend.Transport transportOf(Backend backend) {
    Backend.Transport t = backend.connectionPool().transport();
    if (t != null) {
      return t;
    }
    if (backend.protocol() != Backend.Protocol.http1) {
      return Backend.Transport.netty; // the only transport that speaks HTTP/2
    }
    if (upstream.transport() != null) {
      return upstream.transport();
    }
    // 1.2-2x the req/s of the Pekko pool at about 0.6x its CPU per request (plain HTTP), and a
    // connection reused only after its whole request went out (UpstreamReuseIT)
    return Backend.Transport.netty;
  }

  /**
   * Upstream transport defaults.
   *
   * @param transport the transport of backends without {@code connectionPool.transport}; null
   *     (default): netty, with or without {@code tls}
   * @param eventLoopThreads threads of the Netty transport's shared event loop group (read at start
   *     only), default 1
   */
  public record Upstream(Backend.Transport transport, Integer eventLoopThreads) {
    public Upstream {
      eventLoopThreads = eventLoopThreads == null ? 1 : eventLoopThreads;
    }

    void validate(Validator v) {
      v.check(
          eventLoopThreads >= 1 && eventLoopThreads <= 64,
          "eventLoopThreads",
          eventLoopThreads,
          "1 to 64");
    }
  }

  /**
   * The listeners' socket transport and threads (read at start only).
   *
   * @param transport netty (default): a Netty server channel on epoll (NIO fallback); pekko: Pekko
   *     IO's {@code Tcp().bind}. The connection stack above the bytes is the same
   * @param loops netty only. pinned: the served connections, their Pekko stages and the upstream
   *     connections share one event loop per core, each connection's stages running on its
   *     channel's loop; separate: the connections on one loop of their own, the stages on the
   *     fork-join dispatcher, the upstream connections on {@code upstream.eventLoopThreads} loops
   * @param front netty (default with transport netty): Netty's HTTP/1.1 codec parses and renders
   *     each connection's requests in its pipeline; pekko (default with transport pekko): Pekko's
   *     HTTP server layer does, over the channel's bytes. The handler and the checks are the same
   */
  public record Server(Transport transport, Loops loops, Front front) {
    /** How the listeners accept and run their sockets. */
    public enum Transport {
      /** Pekko IO ({@code Tcp().bind}): a selector thread and a connection actor per socket. */
      pekko,
      /** A Netty server channel; on the Pekko dispatcher's event loops when they are shared. */
      netty
    }

    /** What parses and renders a connection's HTTP (netty transport). */
    public enum Front {
      /** Pekko's server layer, over the Netty channel's bytes. */
      pekko,
      /** Netty's HTTP/1.1 codec in the channel's pipeline. */
      netty
    }

    /** Which threads run a served connection (netty transport). */
    public enum Loops {
      /** A connection's channel, Pekko stages and upstream connections on one event loop. */
      pinned,
      /** Server loop, fork-join dispatcher and upstream loops apart. */
      separate
    }

    public Server {
      transport = transport == null ? Transport.netty : transport;
      loops =
          loops == null ? (transport == Transport.netty ? Loops.pinned : Loops.separate) : loops;
      front = front == null ? (transport == Transport.netty ? Front.netty : Front.pekko) : front;
    }

    void validate(Validator v) {
      v.check(
          loops != Loops.pinned || transport == Transport.netty,
          "loops",
          loops,
          "separate with transport pekko (pinned needs transport netty)");
      v.check(
          front != Front.netty || transport == Transport.netty,
          "front",
          front,
          "pekko with transport pekko (the netty front needs transport netty)");
    }
  }

  private void validateAi(Validator v) {
    Set<String> names = new HashSet<>();
    v.each(
        "consumers",
        consumers,
        (cv, c) -> {
          c.validate(cv);
          if (c.name() != null) {
            cv.check(names.add(c.name()), "name", c.name(), "a unique consumer name");
          }
        });
    if (ai != null) {
      Validator av = v.at("ai");
      ai.validate(av);
      if (ai.accounting() != null && ai.accounting().redis() != null) {
        av.check(
            redis.containsKey(ai.accounting().redis()),
            "accounting.redis",
            "'" + ai.accounting().redis() + "'",
            "the name of a connection in redis");
      }
      av.each(
          "models",
          ai.models(),
          (mv, m) ->
              mv.each(
                  "deployments",
                  m.deployments(),
                  (dv, d) -> {
                    if (d.backend() != null) {
                      dv.check(
                          backend(d.backend()) != null,
                          "backend",
                          "'" + d.backend() + "'",
                          "the name of a backend in backends[]");
                    }
                  }));
    }
    boolean llmRoutes = routes.stream().anyMatch(r -> r != null && r.llm());
    if (llmRoutes) {
      v.check(ai != null, "ai", "missing", "an ai section (routes with llm: true need a catalog)");
    }
    boolean authRoutes =
        routes.stream().anyMatch(r -> r != null && (r.llm() || r.authentication() != null));
    boolean credentials =
        !consumers.isEmpty()
            || (authentication != null
                && (authentication.apiKeys().file() != null
                    || !authentication.jwt().providers().isEmpty()));
    if (authRoutes) {
      v.check(
          credentials,
          "consumers",
          "[]",
          "at least one consumer, authentication.apiKeys.file or a JWT provider (routes with llm:"
              + " true or authentication need credentials)");
    }
  }

  /**
   * Only the admin listener takes credentials, and it must when it binds a non-loopback address
   * (RELIABILITY 24).
   */
  private void validateListenerAuthentication(Validator lv) {
    Listener pub = listeners.get(PUBLIC);
    if (pub != null && pub.authentication() != null) {
      lv.check(false, PUBLIC + ".authentication", "set", "only listeners.admin takes credentials");
    }
    Listener adm = listeners.get(ADMIN);
    if (adm == null || adm.address() == null || !HostPort.isValid(adm.address())) {
      return;
    }
    if (adm.authentication() != null) {
      adm.authentication().validate(lv.at(ADMIN + ".authentication"));
    } else {
      lv.check(
          HostPort.parse(adm.address()).isLoopback(),
          ADMIN + ".authentication",
          "missing for non-loopback address '" + adm.address() + "'",
          "a tokenHash whenever the admin listener binds beyond loopback");
    }
  }

  static <T> List<T> immutable(List<T> list) {
    return list == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(list));
  }

  static void positive(Validator v, Duration d, String key) {
    if (d != null) {
      v.check(!d.isNegative() && !d.isZero(), key, d, "a duration > 0");
    }
  }

  /**
   * One listener.
   *
   * @param address {@code host:port} to bind; port 0 picks a free port
   * @param tls TLS (and mTLS) termination, or null for plain HTTP
   * @param headerTimeout deadline from connection accept, or from the end of the previous response,
   *     to the end of a request's headers (default 10s)
   * @param maxConnections open connections beyond which new ones are closed at once (default 16384)
   * @param limits request limits (URI, headers, body), enforced before routing
   * @param authentication credentials every request must carry (admin listener only), or null
   */
  public record Listener(
      String address,
      TlsConfig tls,
      Duration headerTimeout,
      Integer maxConnections,
      Limits limits,
      AdminAuthentication authentication)
      implements Validatable {
    public Listener {
      headerTimeout = headerTimeout == null ? Duration.ofSeconds(10) : headerTimeout;
      maxConnections = maxConnections == null ? 16384 : maxConnections;
      limits = limits == null ? Limits.defaults() : limits;
    }

    /** This listener with other TLS settings. */
    public Listener withTls(TlsConfig newTls) {
      return new Listener(address, newTls, headerTimeout, maxConnections, limits, authentication);
    }

    @Override
    public void validate(Validator v) {
      if (v.required(address, "address")) {
        v.check(HostPort.isValid(address), "address", "'" + address + "'", HostPort.EXPECTED);
      }
      limits.validate(v.at("limits"));
      positive(v, headerTimeout, "headerTimeout");
      v.check(
          maxConnections >= 1 && maxConnections <= 1_000_000,
          "maxConnections",
          maxConnections,
          "1 to 1000000");
      if (tls != null) {
        tls.validate(v.at("tls"));
      }
    }

    /** The parsed address. */
    public HostPort hostPort() {
      return HostPort.parse(address);
    }
  }

  /**
   * Graceful shutdown settings.
   *
   * @param drainTimeout how long in-flight requests may take to finish after unbinding (default
   *     10s)
   */
  public record Shutdown(Duration drainTimeout) {
    public Shutdown {
      drainTimeout = drainTimeout == null ? Duration.ofSeconds(10) : drainTimeout;
    }

    void validate(Validator v) {
      positive(v, drainTimeout, "drainTimeout");
    }
  }

  /**
   * Config file watching (read at start only): when the file changes it is reloaded as by {@code
   * POST /reload}.
   *
   * @param watchFile default false
   * @param pollInterval how often the file's size and modification time are checked, default 1s
   */
  public record Reload(Boolean watchFile, Duration pollInterval) {
    public Reload {
      watchFile = watchFile != null && watchFile;
      pollInterval = pollInterval == null ? Duration.ofSeconds(1) : pollInterval;
    }
  }

  /**
   * Request id and trace context headers sent upstream.
   *
   * @param requestId keep the client's {@code x-request-id} or create one, default true
   * @param traceparent propagate W3C {@code traceparent} with a new span id, or create one, default
   *     true
   */
  public record Tracing(Boolean requestId, Boolean traceparent) {
    public Tracing {
      requestId = requestId == null || requestId;
      traceparent = traceparent == null || traceparent;
    }
  }

  /**
   * The optional access log, one JSON object per request on standard output.
   *
   * @param enabled default false
   */
  public record AccessLog(Boolean enabled) {
    public AccessLog {
      enabled = enabled != null && enabled;
    }
  }
}
