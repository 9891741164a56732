package dev.kumaforge.harness.run;

import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.harness.chaos.RedisServer;
import dev.kumaforge.harness.peers.PeerKind;
import dev.kumaforge.harness.peers.PeerOptions;
import dev.kumaforge.harness.peers.PeerTarget;
import dev.kumaforge.harness.peers.PeerTls;
import dev.kumaforge.harness.process.CpuPinning;
import dev.kumaforge.harness.process.ManagedProcess;
import dev.kumaforge.harness.process.ProcessSampler;
import dev.kumaforge.load.scenario.ListenerTls;
import dev.kumaforge.load.scenario.Scenario;
import dev.kumaforge.load.scenario.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** Starts each kind of target of a scenario, against the mock backends of the run. */
public final class TargetLauncher {
  static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  public static final List<String> GATEWAY_JVM =
      List.of("-Xms512m", "-Xmx512m", "-XX:+UseParallelGC");

  /**
   * Extra JVM options for reference gateway targets, e.g. a JFR recording while measured, a bigger
   * heap or another collector (which then replaces the default ParallelGC).
   */
  static final String GATEWAY_JAVA_OPTS = "FORGE_GATEWAY_JAVA_OPTS";

  /**
   * The JVM options of a reference target: the defaults, then the target's {@code jvmOptions}, then
   * {@link #GATEWAY_JAVA_OPTS}.
   */
  public static List<String> gatewayJvmOf(Target target) {
    List<String> options = new java.util.ArrayList<>(target.jvmOptions());
    options.addAll(split(System.getenv(GATEWAY_JAVA_OPTS)));
    return gatewayJvmWith(options);
  }

  /** The gateway JVM's options with {@code extra} (space-separated) appended. */
  static List<String> gatewayJvm(String extra) {
    return gatewayJvmWith(split(extra));
  }

  private static List<String> split(String options) {
    return options == null || options.isBlank() ? List.of() : List.of(options.trim().split("\\s+"));
  }

  /**
   * The gateway JVM's options with {@code options} appended; a collector named there replaces the
   * default one (with two collectors the JVM refuses to start).
   */
  static List<String> gatewayJvmWith(List<String> options) {
    if (options.isEmpty()) {
      return GATEWAY_JVM;
    }
    List<String> all = new java.util.ArrayList<>(GATEWAY_JVM);
    java.util.function.Predicate<String> collector =
        o -> o.startsWith("-XX:+Use") && o.endsWith("GC");
    if (options.stream().anyMatch(collector)) {
      all.removeIf(collector);
    }
    all.addAll(options);
    return List.copyOf(all);
  }

  /**
   * Workers of peer gateways: the cores the reference gateway's dispatcher uses (one per available
   * processor), so every target gets the same parallelism.
   */
  static final int WORKERS = Runtime.getRuntime().availableProcessors();

  private final Scenario scenario;
  private final Map<String, String> backends;
  private final Map<String, String> boundByConfigured;
  private final Console console;
  private final CpuPinning pinning;

  /**
   * @param backends provider name -> bound URL
   * @param boundByConfigured provider's configured host:port -> bound host:port
   */
  public TargetLauncher(
      Scenario scenario,
      Map<String, String> backends,
      Map<String, String> boundByConfigured,
      Console console) {
    this.scenario = scenario;
    this.backends = Map.copyOf(backends);
    this.boundByConfigured = Map.copyOf(boundByConfigured);
    this.console = console;
    this.pinning = CpuPinning.of(scenario);
  }

  /**
   * A launcher against a run's mock backends, or against none when {@code backends} is null (a
   * scenario whose targets are all external).
   */
  public static TargetLauncher against(
      MockBackendsProcess backends, Scenario scenario, Console console) {
    return backends == null
        ? new TargetLauncher(scenario, Map.of(), Map.of(), console)
        : backends.launcher(scenario, console);
  }

  /**
   * Starts {@code target}.
   *
   * @param targetDir {@code targets/<name>/}: resolved configs and the target's log go here
   * @param readyDir where the target's ready file goes (the trial or step folder)
   */
  public RunningTarget start(Target target, Path targetDir, Path readyDir)
      throws InterruptedException {
    return switch (target.type()) {
      case DIRECT -> RunningTarget.unmanaged(directUrl(target));
      case EXTERNAL -> RunningTarget.unmanaged(target.url());
      case REFERENCE -> startReference(target, targetDir, readyDir);
      case NGINX, HAPROXY, ENVOY -> startPeer(target, targetDir, readyDir);
    };
  }

  /** Writes the target's gateway config, pointed at this run's backends, to targetDir. */
  private Path resolvedConfig(Target target, Path targetDir, Path readyDir) {
    return resolvedConfig(target, targetDir, readyDir, null);
  }

  /**
   * Writes the target's gateway config, pointed at this run's backends and, when {@code redisUri}
   * is not null, at that Redis, to targetDir.
   */
  private Path resolvedConfig(Target target, Path targetDir, Path readyDir, String redisUri) {
    Path resolved = targetDir.resolve("gateway.yaml");
    try {
      Files.createDirectories(readyDir);
      String source = target.configPath().toString();
      String text =
          GatewayConfigRewriter.rewrite(
              Files.readString(target.configPath()), source, boundByConfigured);
      if (redisUri != null) {
        text = GatewayConfigRewriter.withRedis(text, source, redisUri);
      }
      AtomicFiles.writeString(resolved, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return resolved;
  }

  private RunningTarget startPeer(Target target, Path targetDir, Path readyDir)
      throws InterruptedException {
    Path resolved = resolvedConfig(target, targetDir, readyDir);
    PeerKind kind = PeerKind.of(target.type().toString());
    int workers = pinning.targetCpus(WORKERS);
    console.line(
        "  starting "
            + kind
            + " "
            + target.name()
            + " ("
            + workers
            + " workers"
            + (target.listenerTls() == null
                ? ""
                : target.listenerTls().mutual() ? ", mTLS" : ", TLS")
            + ")");
    PeerTarget peer =
        PeerTarget.start(
            kind,
            GatewayConfig.load(resolved),
            PeerOptions.workers(workers).withTls(peerTls(target)),
            readyDir.resolve("peer"),
            targetDir.resolve("target.log"),
            pinning::targets);
    for (String note : peer.notes()) {
      console.line("    note: " + note);
    }
    return new RunningTarget() {
      @Override
      public String url() {
        return peer.baseUrl();
      }

      @Override
      public OptionalLong pid() {
        return OptionalLong.of(peer.pid());
      }

      @Override
      public ProcessSampler sampler(Path csv) {
        // nginx and HAProxy run several processes: sample the CPU of the whole tree.
        return ProcessSampler.start(peer.pid(), peer::cpuMillis, csv);
      }

      @Override
      public void checkAlive() {
        if (!peer.isAlive()) {
          throw new IllegalStateException(
              kind + " of target " + target.name() + " died while measured\n" + peer.tail(20));
        }
      }

      @Override
      public void close() {
        peer.close();
      }
    };
  }

  /**
   * Starts a reference gateway; when its config has a {@code redis} section, first a redis-server
   * of its own (no persistence, a free loopback port; its CPU is not in the target's samples) that
   * every connection of the section is pointed at, stopped with the target.
   */
  private RunningTarget startReference(Target target, Path targetDir, Path readyDir)
      throws InterruptedException {
    RedisServer redis = null;
    try {
      Files.createDirectories(targetDir);
      if (GatewayConfigRewriter.usesRedis(
          Files.readString(target.configPath()), target.configPath().toString())) {
        redis = RedisServer.start("redis-server", targetDir.resolve("redis.log"), () -> false);
        console.line("  started redis-server on port " + redis.port() + " for " + target.name());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    RedisServer ownRedis = redis;
    Path resolved =
        resolvedConfig(
            target,
            targetDir,
            readyDir,
            redis == null ? null : "redis://127.0.0.1:" + redis.port());
    List<String> jvm = gatewayJvmOf(target);
    console.line(
        "  starting reference gateway " + target.name() + " (" + String.join(" ", jvm) + ")");
    Path ready = readyDir.resolve("ready.json");
    ManagedProcess gw =
        ManagedProcess.start(
            "gateway " + target.name(),
            pinning.targets(
                ManagedProcess.forgeCommand(
                    jvm,
                    List.of(
                        "gateway",
                        "--config",
                        resolved.toString(),
                        "--ready-file",
                        ready.toString()))),
            targetDir.resolve("target.log"),
            ready);
    String url;
    try {
      url = gw.awaitReady(READY_TIMEOUT).get("public");
    } catch (InterruptedException | RuntimeException e) {
      if (ownRedis != null) {
        ownRedis.close();
      }
      throw e;
    }
    return new RunningTarget() {
      @Override
      public String url() {
        return url;
      }

      @Override
      public OptionalLong pid() {
        return OptionalLong.of(gw.pid());
      }

      @Override
      public void checkAlive() {
        if (!gw.isAlive()) {
          throw new IllegalStateException(
              "the gateway of target " + target.name() + " died while measured\n" + gw.tail(20));
        }
      }

      @Override
      public void close() {
        gw.close();
        if (ownRedis != null) {
          ownRedis.close();
        }
      }
    };
  }

  private static PeerTls peerTls(Target target) {
    ListenerTls l = target.listenerTls();
    return l == null
        ? null
        : new PeerTls(
            Path.of(l.certificate()),
            Path.of(l.privateKey()),
            l.clientCaBundle() == null ? null : Path.of(l.clientCaBundle()));
  }

  /** The URL of the provider a {@code direct} target names (default: the first provider). */
  String directUrl(Target target) {
    if (target.backend() == null) {
      return backends.values().iterator().next();
    }
    String url = backends.get(target.backend());
    if (url == null) {
      throw new IllegalArgumentException(
          "target "
              + target.name()
              + ": backend '"
              + target.backend()
              + "' is not a provider of "
              + scenario.backends().configPath()
              + " (providers: "
              + backends.keySet()
              + ")");
    }
    return url;
  }
}
