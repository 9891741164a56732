package dev.kumaforge.harness.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kumaforge.backends.config.BackendsConfig;
import dev.kumaforge.backends.config.ProviderConfig;
import dev.kumaforge.chaos.ChaosProxy;
import dev.kumaforge.chaos.ChaosProxyConfig;
import dev.kumaforge.chaos.experiment.Action;
import dev.kumaforge.chaos.experiment.ActionType;
import dev.kumaforge.chaos.experiment.Experiment;
import dev.kumaforge.chaos.experiment.Probe;
import dev.kumaforge.chaos.experiment.ProbeType;
import dev.kumaforge.chaos.experiment.runner.ActionExecutor;
import dev.kumaforge.chaos.experiment.runner.EventSink;
import dev.kumaforge.chaos.experiment.runner.ExperimentRunner;
import dev.kumaforge.chaos.experiment.runner.HttpActions;
import dev.kumaforge.chaos.experiment.runner.HttpProbes;
import dev.kumaforge.chaos.experiment.runner.ProbeEvaluator;
import dev.kumaforge.chaos.experiment.runner.Sleeper;
import dev.kumaforge.chaos.experiment.runner.Verdict;
import dev.kumaforge.chaos.proxy.ProxySpec;
import dev.kumaforge.common.config.YamlConfig;
import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.common.process.ExitCodes;
import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.common.units.Durations;
import dev.kumaforge.common.units.Rate;
import dev.kumaforge.harness.run.Console;
import dev.kumaforge.harness.run.GatewayConfigRewriter;
import dev.kumaforge.harness.run.MockBackendsProcess;
import dev.kumaforge.harness.run.RunFolder;
import dev.kumaforge.harness.run.TargetLauncher;
import dev.kumaforge.load.engine.LoadResult;
import dev.kumaforge.load.engine.OpenLoopEngine;
import dev.kumaforge.load.scenario.Phase;
import dev.kumaforge.load.scenario.Scenario;
import dev.kumaforge.load.scenario.Target;
import dev.kumaforge.load.scenario.TargetType;
import dev.kumaforge.load.scenario.Workload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code forge chaos EXPERIMENT}: starts the experiment's load scenario's backends (one process per
 * provider, so each can be killed) and its reference gateway target, puts the in-process chaos
 * proxy in front of the providers the experiment's toxics and proxy-down actions name, starts a
 * redis-server when the gateway config has a {@code redis} section (for redis-stop), drives the
 * scenario's open-loop load for the whole experiment, runs the {@link ExperimentRunner} timeline,
 * measures every fault ({@link FaultFigures}) and writes {@code events.jsonl}, {@code
 * chaos-result.json} and {@code chaos-result.md} into the run folder.
 */
public final class ChaosRun {
  /** Time between two fault monitor samples. */
  static final Duration MONITOR_INTERVAL = Duration.ofMillis(250);

  /** Load that keeps running after the recovery budget, so the last probe rounds see load. */
  static final Duration LOAD_SLACK = Duration.ofSeconds(3);

  private final Path experimentFile;
  private final Path out;
  private final Console console;
  private final NanoClock clock = NanoClock.system();
  private final AtomicBoolean shuttingDown = new AtomicBoolean();

  /** A run of {@code experimentFile} into {@code out} (null: {@code runs/<stamp>-chaos-<name>}). */
  public ChaosRun(Path experimentFile, Path out, Console console) {
    this.experimentFile = experimentFile;
    this.out = out;
    this.console = console;
  }

  /** What the run needs, checked before anything starts. */
  record Plan(
      Experiment experiment,
      Scenario scenario,
      Target target,
      BackendsConfig backends,
      Set<String> proxied,
      boolean redis) {}

  /** Loads the experiment and its scenario and checks that this harness can run it. */
  static Plan plan(Path experimentFile) {
    Experiment e = Experiment.load(experimentFile);
    String where = "experiment " + experimentFile;
    if (e.load() == null || e.load().scenario() == null) {
      throw new IllegalArgumentException(where + ": load.scenario is required by forge chaos");
    }
    Path scenarioFile =
        experimentFile.toAbsolutePath().getParent().resolve(e.load().scenario()).normalize();
    Scenario s = Scenario.load(scenarioFile);
    if (s.workload().closedLoop()) {
      throw new IllegalArgumentException(
          where
              + ": load scenario "
              + scenarioFile
              + " is closed-loop; chaos needs open-loop load");
    }
    Target target =
        s.targets().stream()
            .filter(t -> t.type() == TargetType.REFERENCE)
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        where
                            + ": load scenario "
                            + scenarioFile
                            + " has no target of type reference (the gateway under test)"));
    if (s.backends() == null) {
      throw new IllegalArgumentException(
          where + ": load scenario " + scenarioFile + " has no backends");
    }
    BackendsConfig backends = BackendsConfig.load(s.backends().configPath());
    Set<String> providers = new LinkedHashSet<>();
    backends.providers().forEach(p -> providers.add(p.name()));
    Set<String> proxied = new LinkedHashSet<>();
    List<String> problems = new ArrayList<>();
    boolean redis;
    try {
      redis =
          GatewayConfigRewriter.usesRedis(
              Files.readString(target.configPath()), target.configPath().toString());
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot read " + target.configPath(), ex);
    }
    List<Action> actions = new ArrayList<>();
    e.method().forEach(st -> actions.add(st.action()));
    actions.addAll(e.rollbacks());
    for (Action a : actions) {
      if (a.type() == ActionType.TOXIC || a.type() == ActionType.PROXY_DOWN) {
        if (providers.contains(a.proxy())) {
          proxied.add(a.proxy());
        } else {
          problems.add(
              "proxy '"
                  + a.proxy()
                  + "' is not a provider of "
                  + s.backends().configPath()
                  + " (providers: "
                  + providers
                  + ")"
                  + ("redis".equals(a.proxy())
                      ? "; Redis is stopped and started with the redis-stop action"
                      : ""));
        }
      }
      if (a.type() == ActionType.REDIS_STOP && !redis) {
        problems.add(
            "redis-stop: the gateway config "
                + target.configPath()
                + " has no redis section, so the run starts no Redis to stop");
      }
      if ((a.type() == ActionType.KILL || a.type() == ActionType.RESTART)
          && !providers.contains(a.target())
          && !target.name().equals(a.target())) {
        problems.add(
            a.type()
                + ": no process named '"
                + a.target()
                + "' (providers "
                + providers
                + ", gateway target '"
                + target.name()
                + "')");
      }
    }
    for (Probe p : e.hypothesis().probes()) {
      if (p.type() == ProbeType.LATENCY && p.percentile() != 99.0) {
        problems.add(
            "probe "
                + p.name()
                + ": percentile "
                + p.percentile()
                + " (the load engine reports p99 per second; use 99)");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(where + " cannot run: " + String.join("; ", problems));
    }
    return new Plan(e, s, target, backends, proxied, redis);
  }

  /**
   * After the warm-up, how long the run waits at most for the hypothesis to hold before it starts
   * the method (a cold gateway JVM takes a while to reach its steady state): as long as the
   * warm-up, at least 10 s. The load's length includes it.
   */
  static Duration settle(Workload w) {
    Duration min = Duration.ofSeconds(10);
    return w.warmup().compareTo(min) > 0 ? w.warmup() : min;
  }

  /**
   * How long the load runs after its warm-up: the settling, the whole method, the recovery budget,
   * one probe interval and {@link #LOAD_SLACK}.
   */
  static Duration loadDuration(Experiment e, Workload w) {
    return settle(w)
        .plus(e.methodEnd())
        .plus(e.recovery())
        .plus(e.hypothesis().interval())
        .plus(LOAD_SLACK);
  }

  /**
   * The scenario's workload for a chaos run: its warm-up at a tenth of its first rate, a ramp as
   * long as the warm-up up to that rate, then one constant phase at that rate lasting {@code
   * duration}. A cold gateway JVM hit at full rate at once can stay overloaded for a minute
   * (timeouts and retries feeding each other), which no experiment is about.
   */
  static Workload stretched(Workload w, Duration duration) {
    Rate rate = w.phases().get(0).startRate();
    Duration ramp = w.warmup().isZero() ? Duration.ofSeconds(1) : w.warmup();
    return new Workload(
        w.engine(),
        w.warmup(),
        w.arrivals(),
        w.burstiness(),
        w.timeout(),
        w.maxConnections(),
        w.maxLag(),
        w.concurrency(),
        w.thinkTime(),
        List.of(
            Phase.ramp(
                LoadWindow.RAMP_PHASE,
                Rate.perSecond(Math.max(1, rate.perSecond() / 10)),
                rate,
                ramp),
            Phase.constant("chaos", rate, duration)),
        w.request(),
        w.requests());
  }

  /** Runs the experiment; returns the exit code. */
  public int run() throws Exception {
    Plan plan = plan(experimentFile);
    Experiment experiment = plan.experiment();
    RunFolder folder = RunFolder.create(out, "chaos-" + experiment.name(), Instant.now());
    Path dir = folder.dir();
    console.line("forge chaos " + experiment.name() + " -> " + folder.finalDir());
    Files.copy(experimentFile, dir.resolve("experiment.yaml"));
    List<AutoCloseable> closeables = new ArrayList<>();
    AtomicReference<ExperimentRunner> runner = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              shuttingDown.set(true);
              ExperimentRunner r = runner.get();
              if (r != null) {
                r.abort();
              }
              try {
                done.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "forge-chaos-abort");
    Runtime.getRuntime().addShutdownHook(hook);
    ExecutorService http = Executors.newFixedThreadPool(2, daemon("forge-chaos-http"));
    ScheduledExecutorService scheduler =
        Executors.newScheduledThreadPool(1, daemon("forge-chaos-monitor"));
    try {
      HttpClient client =
          HttpClient.newBuilder().executor(http).connectTimeout(Duration.ofSeconds(2)).build();
      int code = execute(plan, dir, closeables, runner, client, scheduler);
      closeAll(closeables);
      Path finalDir = folder.complete();
      console.line("  run folder: " + finalDir);
      return code;
    } catch (Exception | Error e) {
      closeAll(closeables);
      Path failed = folder.fail();
      console.line("  run failed, logs kept in " + failed);
      throw e;
    } finally {
      scheduler.shutdownNow();
      http.shutdownNow();
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down (Ctrl-C): the hook is running and waits for us.
      }
    }
  }

  private int execute(
      Plan plan,
      Path dir,
      List<AutoCloseable> closeables,
      AtomicReference<ExperimentRunner> runnerRef,
      HttpClient client,
      ScheduledExecutorService scheduler)
      throws Exception {
    Scenario scenario = plan.scenario();
    Map<String, String> bound = new LinkedHashMap<>();
    Map<String, String> backendUrls = new LinkedHashMap<>();
    Map<String, Killable> processes = new LinkedHashMap<>();
    Path backendsDir = dir.resolve("backends");
    Files.createDirectories(backendsDir);
    JsonNode backendsTree =
        YamlConfig.parseTree(
            Files.readString(scenario.backends().configPath()),
            scenario.backends().configPath().toString());
    for (ProviderConfig p : plan.backends().providers()) {
      ServerProcess sp = startBackend(backendsTree, p.name(), backendsDir);
      closeables.add(sp);
      processes.put(p.name(), sp);
      String url = sp.listeners().get(p.name());
      backendUrls.put(p.name(), url);
      bound.put(GatewayConfigRewriter.normalize(p.listen()), GatewayConfigRewriter.normalize(url));
    }
    console.line("  backends ready: " + backendUrls);

    List<ProxySpec> proxies = new ArrayList<>();
    for (String name : plan.proxied()) {
      proxies.add(
          new ProxySpec(
              name, "127.0.0.1:0", GatewayConfigRewriter.normalize(backendUrls.get(name)), true));
    }
    ChaosProxy proxy = ChaosProxy.start(new ChaosProxyConfig("127.0.0.1:0", 2, 1L, proxies));
    closeables.add(proxy);
    Map<String, String> forGateway = new LinkedHashMap<>(bound);
    Map<String, String> proxyListeners = proxy.listeners();
    for (ProviderConfig p : plan.backends().providers()) {
      String listen = proxyListeners.get(p.name());
      if (listen != null) {
        forGateway.put(
            GatewayConfigRewriter.normalize(p.listen()), listen.substring("tcp://".length()));
      }
    }
    console.line(
        "  chaos proxy "
            + proxy.apiUrl()
            + (proxyListeners.isEmpty() ? " (no proxied endpoint)" : " " + proxyListeners));

    RedisServer redis = null;
    if (plan.redis()) {
      Files.createDirectories(dir.resolve("redis"));
      redis = RedisServer.start("redis-server", dir.resolve("redis/redis.log"), shuttingDown::get);
      closeables.add(redis);
      console.line("  redis-server ready on port " + redis.port());
    }
    GatewayStart gw =
        startGateway(
            plan.target(),
            forGateway,
            dir.resolve("gateway"),
            redis == null ? null : "redis://127.0.0.1:" + redis.port());
    closeables.add(gw.process());
    processes.put(plan.target().name(), gw.process());
    console.line("  gateway ready: " + gw.publicUrl() + " (admin " + gw.adminUrl() + ")");

    Map<String, String> addresses = new LinkedHashMap<>(bound);
    addresses.put(
        GatewayConfigRewriter.normalize(ChaosProxyConfig.DEFAULT_API),
        GatewayConfigRewriter.normalize(proxy.apiUrl()));
    addresses.put(gw.configuredPublic(), GatewayConfigRewriter.normalize(gw.publicUrl()));
    addresses.put(gw.configuredAdmin(), GatewayConfigRewriter.normalize(gw.adminUrl()));
    Experiment experiment = ExperimentAddresses.rewrite(plan.experiment(), addresses);

    LoadWindow window = new LoadWindow(clock);
    Duration loadFor = loadDuration(experiment, scenario.workload());
    Workload workload = stretched(scenario.workload(), loadFor);
    AtomicReference<LoadResult> loadResult = new AtomicReference<>();
    AtomicReference<Throwable> loadFailure = new AtomicReference<>();
    Thread load =
        new Thread(
            () -> {
              try {
                loadResult.set(
                    new OpenLoopEngine()
                        .run(
                            workload,
                            scenario.seed(),
                            URI.create(gw.publicUrl()),
                            dir.resolve("load"),
                            plan.target().name(),
                            1,
                            p -> {
                              window.onProgress(p);
                              console.status(p.statusLine());
                            }));
              } catch (RuntimeException | Error e) {
                loadFailure.set(e);
              }
            },
            "forge-chaos-load");
    console.line(
        String.format(
            java.util.Locale.ROOT,
            "  load: %s open-loop after a warm-up of %s and a ramp of %s, for %s",
            workload.phases().get(1).startRate(),
            Durations.format(workload.warmup()),
            Durations.format(workload.phases().get(0).duration()),
            Durations.format(loadFor)));
    load.start();
    if (!window.awaitMeasuring(
        workload.warmup().multipliedBy(2).toSeconds() + 60, TimeUnit.SECONDS)) {
      load.interrupt();
      throw new IllegalStateException(
          "the load did not get past its warm-up" + failureOf(loadFailure));
    }

    settle(experiment, settle(workload), evaluators(client, window));

    FaultMonitor monitor =
        new FaultMonitor(clock, window, backendUrls, gw::adminUrl, client, gw.admin());
    scheduler.scheduleAtFixedRate(
        monitor::sample, 0, MONITOR_INTERVAL.toNanos(), TimeUnit.NANOSECONDS);

    Map<ActionType, ActionExecutor> executors = new EnumMap<>(ActionType.class);
    executors.putAll(new HttpActions(client).executors());
    executors.putAll(
        new ProcessActions(
                processes, gw::adminUrl, gw::configYaml, redis, client, scheduler, gw.admin())
            .executors());
    Map<ProbeType, ProbeEvaluator> evaluators = evaluators(client, window);

    Verdict verdict;
    Timeline timeline;
    try (EventSink jsonl = EventSink.jsonl(dir.resolve("events.jsonl"))) {
      timeline = new Timeline(clock, jsonl, console);
      ExperimentRunner runner =
          new ExperimentRunner(
              experiment, clock, Sleeper.real(clock), executors, evaluators, timeline);
      runnerRef.set(runner);
      if (shuttingDown.get()) {
        runner.abort();
      }
      verdict = runner.run();
    }
    if (verdict.outcome() == Verdict.Outcome.ABORTED) {
      load.interrupt();
    }
    load.join(TimeUnit.NANOSECONDS.toMillis(loadFor.plus(Duration.ofSeconds(60)).toNanos()));
    console.endStatus();
    monitor.sample();
    LoadResult lr = loadResult.get();
    if (lr == null) {
      throw new IllegalStateException("the load failed" + failureOf(loadFailure));
    }
    ChaosResult result =
        ChaosResult.of(experiment, verdict, timeline.steps(), monitor.samples(), lr);
    result.write(dir);
    console.line(result.markdown());
    if (!lr.valid()) {
      console.line(
          "  INVALID: the load could not keep its open-loop schedule: " + lr.invalidReason());
      return ExitCodes.INVALID;
    }
    return verdict.outcome().exitCode();
  }

  private static Map<ProbeType, ProbeEvaluator> evaluators(HttpClient client, LoadWindow window) {
    Map<ProbeType, ProbeEvaluator> evaluators = new EnumMap<>(ProbeType.class);
    evaluators.putAll(new HttpProbes(client, Duration.ofSeconds(2)).evaluators());
    evaluators.putAll(window.evaluators());
    return evaluators;
  }

  /** Waits up to {@code budget} for every probe to hold; the runner's first round then decides. */
  private void settle(Experiment e, Duration budget, Map<ProbeType, ProbeEvaluator> evaluators)
      throws InterruptedException {
    long start = clock.nanoTime();
    long deadline = start + budget.toNanos();
    // The windows must first fill with load at the full rate (not the ramp's end).
    Duration longest = Duration.ZERO;
    for (Probe p : e.hypothesis().probes()) {
      if ((p.type() == ProbeType.ERROR_RATE || p.type() == ProbeType.LATENCY)
          && p.window().compareTo(longest) > 0) {
        longest = p.window();
      }
    }
    TimeUnit.NANOSECONDS.sleep(Math.min(longest.toNanos(), budget.toNanos() / 2));
    while (clock.nanoTime() < deadline && !shuttingDown.get()) {
      boolean all = true;
      for (Probe p : e.hypothesis().probes()) {
        try {
          all &= evaluators.get(p.type()).evaluate(p).ok();
        } catch (Exception ex) {
          all = false;
        }
      }
      if (all) {
        console.line(
            "  steady state after "
                + TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - start)
                + " ms; starting the method");
        return;
      }
      TimeUnit.NANOSECONDS.sleep(e.hypothesis().interval().toNanos());
    }
    console.line("  steady state not reached within " + Durations.format(budget));
  }

  private static String failureOf(AtomicReference<Throwable> failure) {
    Throwable t = failure.get();
    return t == null ? "" : ": " + t.getMessage();
  }

  private ServerProcess startBackend(JsonNode tree, String name, Path dir)
      throws InterruptedException {
    ObjectNode root = tree.deepCopy();
    ArrayNode providers = (ArrayNode) root.get("providers");
    ObjectNode mine = null;
    for (JsonNode p : providers) {
      if (name.equals(p.path("name").asText())) {
        mine = (ObjectNode) p.deepCopy();
      }
    }
    ArrayNode only = root.putArray("providers");
    only.add(mine);
    Path config = dir.resolve(name + ".yaml");
    writeYaml(config, root);
    Path ready = dir.resolve(name + ".ready.json");
    ServerProcess sp =
        new ServerProcess(
            name,
            dir.resolve(name + ".log"),
            ready,
            MockBackendsProcess.BACKENDS_JVM,
            List.of(
                "backends",
                "--config",
                config.toString(),
                "--ephemeral-ports",
                "--ready-file",
                ready.toString()),
            shuttingDown::get);
    console.line("  starting backend " + name);
    sp.start();
    // Restarts bind the same port, so the gateway (or the chaos proxy) finds the endpoint again.
    mine.put("listen", GatewayConfigRewriter.normalize(sp.listeners().get(name)));
    Path again = dir.resolve(name + "-restart.yaml");
    writeYaml(again, root);
    sp.restartWith(
        List.of("backends", "--config", again.toString(), "--ready-file", ready.toString()));
    return sp;
  }

  /** A started gateway with its configured and bound addresses. */
  private record GatewayStart(
      ServerProcess process,
      String configuredPublic,
      String configuredAdmin,
      Path config,
      AdminAccess admin) {
    /** The config the gateway runs (with its bound listener addresses), read now. */
    String configYaml() {
      try {
        return Files.readString(config);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + config, e);
      }
    }

    String publicUrl() {
      return process.listeners().get("public");
    }

    String adminUrl() {
      return process.listeners().get("admin");
    }
  }

  private GatewayStart startGateway(
      Target target, Map<String, String> endpoints, Path dir, String redisUri)
      throws InterruptedException, IOException {
    Files.createDirectories(dir);
    String text = Files.readString(target.configPath());
    JsonNode original = YamlConfig.parseTree(text, target.configPath().toString());
    String configuredPublic =
        GatewayConfigRewriter.normalize(
            original.path("listeners").path("public").path("address").asText("127.0.0.1:18080"));
    String configuredAdmin =
        GatewayConfigRewriter.normalize(
            original.path("listeners").path("admin").path("address").asText("127.0.0.1:18081"));
    // the admin token (FORGE_ADMIN_TOKEN) is checked before the gateway starts
    AdminAccess admin = AdminAccess.of(original, System.getenv());
    String resolved =
        GatewayConfigRewriter.rewrite(text, target.configPath().toString(), endpoints);
    if (redisUri != null) {
      resolved =
          GatewayConfigRewriter.withRedis(resolved, target.configPath().toString(), redisUri);
    }
    Path config = dir.resolve("gateway.yaml");
    AtomicFiles.writeString(config, resolved);
    Path ready = dir.resolve("ready.json");
    // the same JVM as in forge run: defaults, the target's jvmOptions, FORGE_GATEWAY_JAVA_OPTS
    List<String> jvm = TargetLauncher.gatewayJvmOf(target);
    ServerProcess gw =
        new ServerProcess(
            target.name(),
            dir.resolve("target.log"),
            ready,
            jvm,
            List.of("gateway", "--config", config.toString(), "--ready-file", ready.toString()),
            shuttingDown::get);
    console.line(
        "  starting reference gateway " + target.name() + " (" + String.join(" ", jvm) + ")");
    gw.start();
    ObjectNode again = (ObjectNode) YamlConfig.parseTree(resolved, config.toString());
    gw.listeners()
        .forEach(
            (listener, url) -> {
              JsonNode l = again.path("listeners").path(listener);
              if (l instanceof ObjectNode o) {
                o.put("address", GatewayConfigRewriter.normalize(url));
              }
            });
    Path restart = dir.resolve("gateway-restart.yaml");
    writeYaml(restart, again);
    gw.restartWith(
        List.of("gateway", "--config", restart.toString(), "--ready-file", ready.toString()));
    return new GatewayStart(gw, configuredPublic, configuredAdmin, restart, admin);
  }

  private static void writeYaml(Path file, JsonNode tree) {
    try {
      AtomicFiles.writeString(file, YamlConfig.yamlMapper().writeValueAsString(tree));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static void closeAll(List<AutoCloseable> closeables) {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        // Best effort: the remaining processes must still be stopped.
      }
    }
    closeables.clear();
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Step boundaries of a run as the runner reports them, for the fault figures. */
  static final class Timeline implements EventSink {
    private final NanoClock clock;
    private final EventSink next;
    private final Console console;
    private final Map<String, long[]> steps = new LinkedHashMap<>();

    Timeline(NanoClock clock, EventSink next, Console console) {
      this.clock = clock;
      this.next = next;
      this.console = console;
    }

    @Override
    public synchronized void accept(dev.kumaforge.chaos.experiment.runner.Event e) {
      long now = clock.nanoTime();
      next.accept(e);
      switch (e.kind()) {
        case "step-start" -> steps.put(e.name(), new long[] {now, -1, e.tMillis(), -1});
        case "step-stop" -> {
          long[] s = steps.get(e.name());
          if (s != null && s[1] < 0) {
            s[1] = now;
            s[3] = e.tMillis();
          }
        }
        default -> {}
      }
      if (console != null && !"probe".equals(e.kind())) {
        console.line(
            String.format(
                java.util.Locale.ROOT,
                "  t=%6.1fs %-12s %s %s",
                e.tMillis() / 1000.0,
                e.kind(),
                e.name(),
                e.data().isEmpty() ? "" : e.data()));
      } else if (console != null && Boolean.FALSE.equals(e.data().get("ok"))) {
        console.line(
            String.format(
                java.util.Locale.ROOT,
                "  t=%6.1fs probe %s failed (%s): %s",
                e.tMillis() / 1000.0,
                e.name(),
                e.data().get("phase"),
                e.data().get("detail")));
      }
    }

    /** Step name -> {start nanos, end nanos or -1, start ms, end ms or -1}. */
    synchronized Map<String, long[]> steps() {
      Map<String, long[]> copy = new LinkedHashMap<>();
      steps.forEach((k, v) -> copy.put(k, v.clone()));
      return copy;
    }
  }
}
