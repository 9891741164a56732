package dev.kumaforge.harness.chaos;

import dev.kumaforge.chaos.experiment.Action;
import dev.kumaforge.chaos.experiment.ActionType;
import dev.kumaforge.chaos.experiment.runner.ActionExecutor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The executors that act on processes: {@code kill} (SIGKILL or SIGTERM; stopping the step, or
 * {@code restartAfter}, starts the process again), {@code restart} (starts a target that is not
 * running; a running one is left alone), {@code gateway-reload} ({@code POST /reload} on the
 * gateway's admin listener with the gateway's config as the body: the same config is parsed,
 * validated and swapped in under load) and {@code redis-stop}.
 */
public final class ProcessActions {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Map<String, Killable> processes;
  private final Supplier<String> gatewayAdmin;
  private final Supplier<String> gatewayConfig;
  private final Killable redis;
  private final HttpClient http;
  private final ScheduledExecutorService scheduler;
  private final AdminAccess admin;

  /**
   * @param processes the killable processes by name (backend providers, the gateway target)
   * @param gatewayAdmin the gateway's admin base URL
   * @param gatewayConfig the gateway's config YAML, the body of a reload
   * @param redis the Redis of the run, or null when the scenario uses none
   * @param scheduler runs delayed restarts ({@code restartAfter})
   */
  public ProcessActions(
      Map<String, Killable> processes,
      Supplier<String> gatewayAdmin,
      Supplier<String> gatewayConfig,
      Killable redis,
      HttpClient http,
      ScheduledExecutorService scheduler) {
    this(processes, gatewayAdmin, gatewayConfig, redis, http, scheduler, AdminAccess.NONE);
  }

  /**
   * @param processes the killable processes by name (backend providers, the gateway target)
   * @param gatewayAdmin the gateway's admin base URL
   * @param gatewayConfig the gateway's config YAML, the body of a reload
   * @param redis the Redis of the run, or null when the scenario uses none
   * @param scheduler runs delayed restarts ({@code restartAfter})
   * @param admin the credentials of the gateway's admin listener
   */
  public ProcessActions(
      Map<String, Killable> processes,
      Supplier<String> gatewayAdmin,
      Supplier<String> gatewayConfig,
      Killable redis,
      HttpClient http,
      ScheduledExecutorService scheduler,
      AdminAccess admin) {
    this.admin = admin;
    this.processes = Map.copyOf(processes);
    this.gatewayAdmin = gatewayAdmin;
    this.gatewayConfig = gatewayConfig;
    this.redis = redis;
    this.http = http;
    this.scheduler = scheduler;
  }

  /** The executors by action type. */
  public Map<ActionType, ActionExecutor> executors() {
    Map<ActionType, ActionExecutor> m = new EnumMap<>(ActionType.class);
    m.put(ActionType.KILL, this::kill);
    m.put(ActionType.RESTART, this::restart);
    m.put(ActionType.GATEWAY_RELOAD, a -> reload());
    m.put(ActionType.REDIS_STOP, a -> redisStop());
    return m;
  }

  private Killable target(Action a) {
    Killable k = processes.get(a.target());
    if (k == null) {
      throw new IllegalArgumentException(
          "no process named '"
              + a.target()
              + "' (processes of this run: "
              + new TreeMap<>(processes).keySet()
              + ")");
    }
    return k;
  }

  private ActionExecutor.Handle kill(Action a) throws InterruptedException {
    Killable k = target(a);
    k.kill(!"TERM".equals(a.signal()));
    ActionExecutor.Handle restart = () -> startIfDead(k);
    if (a.restartAfter() != null) {
      scheduler.schedule(
          () -> {
            startIfDead(k);
            return null;
          },
          a.restartAfter().toNanos(),
          TimeUnit.NANOSECONDS);
    }
    return restart;
  }

  private static synchronized void startIfDead(Killable k) throws InterruptedException {
    if (!k.isAlive()) {
      k.start();
    }
  }

  private ActionExecutor.Handle restart(Action a) throws InterruptedException {
    startIfDead(target(a));
    return ActionExecutor.Handle.NONE;
  }

  private ActionExecutor.Handle reload() throws IOException, InterruptedException {
    String url = gatewayAdmin.get() + "/reload";
    HttpResponse<String> res =
        http.send(
            admin
                .authorize(HttpRequest.newBuilder(URI.create(url)))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString(gatewayConfig.get()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() != 200) {
      throw new IOException("POST " + url + " answered " + res.statusCode() + ": " + res.body());
    }
    return ActionExecutor.Handle.NONE;
  }

  private ActionExecutor.Handle redisStop() throws InterruptedException {
    if (redis == null) {
      throw new IllegalStateException("redis-stop: this run has no Redis");
    }
    redis.kill(false);
    return () -> startIfDead(redis);
  }
}
