package dev.kumaforge.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kumaforge.common.config.ConfigException;
import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.admin.AdminHandler;
import dev.kumaforge.gateway.ai.AiGateway;
import dev.kumaforge.gateway.auth.AdminGuard;
import dev.kumaforge.gateway.auth.AuthenticationConfig;
import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.gateway.healthcheck.HealthChecker;
import dev.kumaforge.gateway.metrics.GatewayMetrics;
import dev.kumaforge.gateway.proxy.ProxyContext;
import dev.kumaforge.gateway.proxy.ProxyHandler;
import dev.kumaforge.gateway.proxy.Snapshot;
import dev.kumaforge.gateway.ratelimit.RateLimitMetrics;
import dev.kumaforge.gateway.ratelimit.RedisConnections;
import dev.kumaforge.gateway.server.ListenerServer;
import dev.kumaforge.gateway.upstream.BackendRuntime;
import dev.kumaforge.gateway.upstream.netty.EventLoops;
import dev.kumaforge.gateway.upstream.netty.LoopDispatchers;
import dev.kumaforge.gateway.upstream.netty.NettyTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.dispatch.ThreadPoolConfig$;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.stream.Materializer;

/**
 * A running reference gateway: a public listener that proxies and an admin listener.
 *
 * <pre>{@code
 * try (Gateway gw = Gateway.start(GatewayConfig.load(file), file)) {
 *   String url = gw.listeners().get("public"); // http://127.0.0.1:18080
 * }
 * }</pre>
 */
public final class Gateway implements AutoCloseable {
  /** Classpath resource with the gateway's Pekko settings (not named reference.conf). */
  public static final String PEKKO_CONFIG = "dev/kumaforge/gateway/pekko.conf";

  private final ActorSystem system;
  private final Config pekkoConfig;
  private final NanoClock clock;
  private final Path configFile;
  private final GatewayMetrics metrics;
  private final AtomicReference<Snapshot> snapshot;
  private final Map<String, String> listeners = new LinkedHashMap<>();
  private volatile boolean draining;
  private ListenerServer publicServer;
  private ListenerServer adminServer;
  private boolean closed;
  private HealthChecker healthChecker;
  private org.apache.pekko.actor.Cancellable fileWatch;
  private AiGateway ai;
  private NettyTransport netty;
  private final EventLoops loops;
  private final LoopDispatchers pinned; // server.loops: pinned, else null
  private EventLoops serverLoops; // the listeners' own loops (netty transport, loops not shared)
  private EventLoops headLoops; // accepts and first heads of plain HTTP (netty transport)
  private final Snapshot.SharedLimits shared;

  private Gateway(
      ActorSystem system,
      EventLoops loops,
      LoopDispatchers pinned,
      Config pekkoConfig,
      NanoClock clock,
      Path configFile,
      AtomicReference<Snapshot> snapshot,
      GatewayMetrics metrics,
      Snapshot.SharedLimits shared) {
    this.system = system;
    this.loops = loops;
    this.pinned = pinned;
    this.pekkoConfig = pekkoConfig;
    this.clock = clock;
    this.configFile = configFile;
    this.snapshot = snapshot;
    this.metrics = metrics;
    this.shared = shared;
    metrics.configVersion(snapshot.get().version());
  }

  /** Loads {@code configFile} and starts a gateway that reloads from it. */
  public static Gateway start(Path configFile) {
    return start(GatewayConfig.load(configFile), configFile, NanoClock.system());
  }

  /** Starts a gateway; {@code POST /reload} without a body is then refused (no file). */
  public static Gateway start(GatewayConfig config) {
    return start(config, null, NanoClock.system());
  }

  /** Starts a gateway whose {@code POST /reload} re-reads {@code configFile}. */
  public static Gateway start(GatewayConfig config, Path configFile) {
    return start(config, configFile, NanoClock.system());
  }

  /** Starts a gateway with an injected clock (rate limits, outlier detection, timeouts). */
  public static Gateway start(GatewayConfig config, Path configFile, NanoClock clock) {
    Config pekko = pekkoConfig();
    AtomicReference<Snapshot> snapshot = new AtomicReference<>();
    GatewayMetrics metrics = new GatewayMetrics(() -> snapshot.get().backends().values(), clock);
    Snapshot.SharedLimits shared =
        config.redis().isEmpty()
            ? null
            : new Snapshot.SharedLimits(
                RedisConnections.create(config.redis(), clock),
                new RateLimitMetrics(metrics.registry()));
    ActorSystem system;
    EventLoops loops = null;
    LoopDispatchers pinned = null;
    try {
      snapshot.set(Snapshot.build(config, pekko, clock, null, 1, shared));
      loops = sharedEventLoops(pekko);
      if (loops == null
          && config.server().loops() == GatewayConfig.Server.Loops.pinned
          && config.server().transport() == GatewayConfig.Server.Transport.netty) {
        loops = new EventLoops(dispatcherThreads(pekko), "forge-loop");
        pinned = LoopDispatchers.register(loops);
        system = ActorSystem.create("forge-gateway", pinned.config().withFallback(pekko));
      } else if (loops == null) {
        system = ActorSystem.create("forge-gateway", pekko);
      } else {
        system =
            ActorSystem.create(
                "forge-gateway",
                pekko,
                Gateway.class.getClassLoader(),
                loops.executionContext(
                    t ->
                        org.slf4j.LoggerFactory.getLogger(Gateway.class)
                            .error("task failed on the gateway's event loops", t)));
      }
    } catch (RuntimeException e) {
      if (pinned != null) {
        pinned.close();
      }
      if (loops != null) {
        loops.close();
      }
      if (shared != null) {
        shared.connections().close();
      }
      throw e;
    }
    Gateway gw =
        new Gateway(system, loops, pinned, pekko, clock, configFile, snapshot, metrics, shared);
    try {
      gw.bind(config);
      return gw;
    } catch (RuntimeException e) {
      if (gw.netty != null) {
        gw.netty.close();
      }
      if (shared != null) {
        shared.connections().close();
      }
      gw.terminateSystem();
      throw e;
    }
  }

  /**
   * The gateway's Pekko settings: system properties ({@code -Dpekko....}) over {@link
   * #PEKKO_CONFIG} over the class path's application.conf and reference.conf files.
   */
  public static Config pekkoConfig() {
    ClassLoader cl = Gateway.class.getClassLoader();
    return ConfigFactory.systemProperties()
        .withFallback(ConfigFactory.parseResources(cl, PEKKO_CONFIG))
        .withFallback(ConfigFactory.load(cl))
        .resolve();
  }

  /**
   * With {@code pekko.actor.default-dispatcher.executor = "default-executor"} (pekko.conf) the
   * default dispatcher runs on Netty event loops that the upstream transport shares, as many as the
   * dispatcher's fork-join parallelism; any other executor (for example {@code fork-join-executor})
   * keeps the two apart and the transport gets {@code upstream.eventLoopThreads} loops of its own.
   */
  private static EventLoops sharedEventLoops(Config pekko) {
    String path = "pekko.actor.default-dispatcher";
    if (!"default-executor".equals(pekko.getString(path + ".executor"))) {
      return null;
    }
    return new EventLoops(dispatcherThreads(pekko), "forge-loop");
  }

  /** The default dispatcher's fork-join parallelism, sized as Pekko sizes it. */
  private static int dispatcherThreads(Config pekko) {
    Config fj = pekko.getConfig("pekko.actor.default-dispatcher.fork-join-executor");
    // cores x factor, within min and max
    return ThreadPoolConfig$.MODULE$.scaledPoolSize(
        fj.getInt("parallelism-min"),
        fj.getDouble("parallelism-factor"),
        fj.getInt("parallelism-max"));
  }

  private void bind(GatewayConfig config) {
    Http http = Http.get(system);
    Materializer mat = Materializer.matFromSystem(system);
    LoggingAdapter upstreamLog = Logging.getLogger(system, "dev.kumaforge.gateway.upstream.netty");
    netty =
        loops != null
            ? new NettyTransport(loops, mat, upstreamLog)
            : new NettyTransport(config.upstream().eventLoopThreads(), mat, upstreamLog);
    ProxyContext ctx =
        new ProxyContext(
            system,
            http,
            mat,
            system.dispatcher(),
            clock,
            metrics,
            Logging.getLogger(system, "dev.kumaforge.gateway.upstream"),
            config.accessLog().enabled(),
            netty);
    ai = new AiGateway(ctx, metrics.registry());
    if (shared != null) {
      ai.useRedis(shared.connections());
    }
    ai.start(config);
    ProxyHandler proxy = new ProxyHandler(snapshot::get, ctx, ai);
    AdminHandler admin =
        new AdminHandler(
            snapshot::get,
            metrics,
            () -> !draining,
            this::reloadText,
            mat,
            system.dispatcher(),
            ai::usageJson);
    GatewayConfig.Listener adminListener = config.listeners().get(GatewayConfig.ADMIN);
    org.apache.pekko.japi.function.Function<
            org.apache.pekko.http.javadsl.model.HttpRequest,
            java.util.concurrent.CompletionStage<org.apache.pekko.http.javadsl.model.HttpResponse>>
        adminService =
            adminListener.authentication() == null
                ? admin
                : new AdminGuard(adminListener.authentication().tokenHash(), admin, mat);
    EventLoops listenerLoops = null;
    EventLoops listenerHeads = null;
    if (config.server().transport() == GatewayConfig.Server.Transport.netty) {
      if (loops != null) {
        // a request can stay on the loop that read it (shared loops, or pinned stages)
        listenerLoops = loops;
      } else {
        serverLoops = new EventLoops(1, "forge-server"); // as Pekko IO's one selector thread
        listenerLoops = serverLoops;
      }
      // accept bursts, trickling heads and header-deadline closes off the serving loops
      headLoops = new EventLoops(1, "forge-accept");
      listenerHeads = headLoops;
    }
    publicServer =
        ListenerServer.bind(
            system,
            GatewayConfig.PUBLIC,
            config.listeners().get(GatewayConfig.PUBLIC),
            proxy,
            listenerLoops,
            listenerHeads,
            pinned,
            config.server().front() == GatewayConfig.Server.Front.netty);
    listeners.put(GatewayConfig.PUBLIC, publicServer.url());
    adminServer =
        ListenerServer.bind(
            system,
            GatewayConfig.ADMIN,
            adminListener,
            adminService,
            listenerLoops,
            listenerHeads,
            null, // a reload (YAML parse, snapshot build) must not stall a loop's connections
            config.server().front() == GatewayConfig.Server.Front.netty);
    listeners.put(GatewayConfig.ADMIN, adminServer.url());
    metrics.listeners(() -> java.util.List.of(publicServer, adminServer));
    healthChecker = startHealthChecks(snapshot.get());
    if (configFile != null && config.reload().watchFile()) {
      watchConfigFile(config.reload().pollInterval());
    }
  }

  /**
   * Polls the size and modification time of the config file and of the API key file it names
   * ({@code authentication.apiKeys.file}); a change triggers a reload.
   */
  private void watchConfigFile(Duration interval) {
    long[][] last = {fileStamp()};
    fileWatch =
        system
            .scheduler()
            .scheduleWithFixedDelay(
                interval,
                interval,
                () -> {
                  long[] now = fileStamp();
                  if (!java.util.Arrays.equals(now, last[0])) {
                    last[0] = now;
                    try {
                      reloadText(null);
                    } catch (ConfigException e) {
                      system.log().warning("config file change rejected: {}", e.getMessage());
                    }
                  }
                },
                system.dispatcher());
  }

  private long[] fileStamp() {
    AuthenticationConfig auth = snapshot.get().config().authentication();
    String keyFile = auth == null ? null : auth.apiKeys().file();
    long[] c = stamp(configFile);
    long[] k = keyFile == null ? new long[] {0, 0} : stamp(Path.of(keyFile));
    return new long[] {c[0], c[1], k[0], k[1]};
  }

  private static long[] stamp(Path file) {
    try {
      return new long[] {
        java.nio.file.Files.getLastModifiedTime(file).toMillis(), java.nio.file.Files.size(file)
      };
    } catch (java.io.IOException e) {
      return new long[] {-1, -1};
    }
  }

  private HealthChecker startHealthChecks(Snapshot s) {
    return HealthChecker.start(
        s.backends().values(),
        system,
        Materializer.matFromSystem(system),
        Logging.getLogger(system, "dev.kumaforge.gateway.healthcheck"),
        metrics,
        clock,
        netty);
  }

  /** Listener name ({@code public}, {@code admin}) to {@code http(s)://host:port}. */
  public Map<String, String> listeners() {
    return Collections.unmodifiableMap(listeners);
  }

  /** The bound listener {@code name} ({@code public} or {@code admin}), or null. */
  public ListenerServer listener(String name) {
    return GatewayConfig.ADMIN.equals(name)
        ? adminServer
        : GatewayConfig.PUBLIC.equals(name) ? publicServer : null;
  }

  /** The active config snapshot. */
  public Snapshot snapshot() {
    return snapshot.get();
  }

  /** The gateway's metrics. */
  public GatewayMetrics metrics() {
    return metrics;
  }

  /**
   * Validates and activates {@code config} atomically; listeners are bound at start only and keep
   * their addresses.
   */
  public synchronized Snapshot reload(GatewayConfig config) {
    Snapshot old = snapshot.get();
    Snapshot next;
    try {
      next = Snapshot.build(config, pekkoConfig, clock, old, old.version() + 1, shared);
    } catch (RuntimeException e) {
      metrics.reload("rejected");
      throw new ConfigException("reload", "", "cannot activate the config: " + e.getMessage());
    }
    snapshot.set(next);
    HealthChecker oldChecks = healthChecker;
    healthChecker = startHealthChecks(next);
    if (oldChecks != null) {
      oldChecks.close();
    }
    retire(old);
    metrics.reload("success");
    metrics.configVersion(next.version());
    return next;
  }

  /**
   * Closes the request queues of a replaced snapshot once its requests can no longer be running
   * (the longest request timeout, plus 5 s).
   */
  private void retire(Snapshot old) {
    long delay =
        old.backends().values().stream()
                .mapToLong(b -> b.config().timeouts().http().requestTimeout().toMillis())
                .max()
                .orElse(0)
            + 5_000;
    system
        .scheduler()
        .scheduleOnce(
            Duration.ofMillis(delay),
            () -> old.backends().values().forEach(BackendRuntime::close),
            system.dispatcher());
  }

  /** Reloads from YAML text, or from the config file when {@code yaml} is null. */
  public Snapshot reloadText(String yaml) {
    GatewayConfig config;
    try {
      if (yaml != null) {
        config = GatewayConfig.parse(yaml, "POST /reload body");
      } else if (configFile != null) {
        config = GatewayConfig.load(configFile);
      } else {
        throw new ConfigException(
            "reload", "", "the gateway was started without a config file; POST the YAML instead");
      }
    } catch (ConfigException e) {
      metrics.reload("rejected");
      throw e;
    }
    return reload(config);
  }

  /**
   * Stops gracefully: /ready turns 503, the public listener stops accepting and in-flight requests
   * get {@code shutdown.drainTimeout} to finish, then everything stops.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    draining = true;
    if (healthChecker != null) {
      healthChecker.close();
    }
    if (fileWatch != null) {
      fileWatch.cancel();
    }
    Duration drain = snapshot.get().config().shutdown().drainTimeout();
    try {
      if (publicServer != null) {
        publicServer
            .terminate(drain)
            .toCompletableFuture()
            .get(drain.toMillis() + 5_000, TimeUnit.MILLISECONDS);
      }
      if (adminServer != null) {
        adminServer.terminate(Duration.ofSeconds(1)).toCompletableFuture().get(6, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      system.log().warning("gateway shutdown: draining did not finish: {}", e.toString());
    }
    try {
      // Upstream connections still waiting (for example after a timeout) are simply dropped.
      Http.get(system).shutdownAllConnectionPools().toCompletableFuture().get(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      system.log().debug("connection pools still closing: {}", e.toString());
    } finally {
      if (ai != null) {
        ai.close();
      }
      if (netty != null) {
        netty.close();
      }
      if (shared != null) {
        shared.connections().close();
      }
      terminateSystem();
    }
  }

  private void terminateSystem() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // the JVM may still exit; nothing else to release
    } finally {
      if (serverLoops != null) {
        serverLoops.close();
      }
      if (headLoops != null) {
        headLoops.close();
      }
      if (loops != null) {
        loops.close(); // the dispatcher's threads: only once the actor system has stopped
      }
      if (pinned != null) {
        pinned.close();
      }
    }
  }
}
