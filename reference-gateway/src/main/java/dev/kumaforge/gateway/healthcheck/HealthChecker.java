package dev.kumaforge.gateway.healthcheck;

import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.circuitbreaker.EndpointHealth;
import dev.kumaforge.gateway.circuitbreaker.OutlierSweep;
import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.metrics.GatewayMetrics;
import dev.kumaforge.gateway.upstream.BackendRuntime;
import dev.kumaforge.gateway.upstream.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.stream.Materializer;

/**
 * Runs the periodic checks of a snapshot: MeshHealthCheck for every backend that has one (a {@code
 * GET} per endpoint and interval through the backend's own pool settings; results move the endpoint
 * in and out of balancing) and the interval outlier detectors (failure percentage, success rate).
 */
public final class HealthChecker implements AutoCloseable {
  private final List<Cancellable> tasks = new ArrayList<>();

  private HealthChecker() {}

  /** Starts checks for {@code backends}; {@link #close()} stops them. */
  public static HealthChecker start(
      Collection<BackendRuntime> backends,
      ActorSystem system,
      Materializer materializer,
      LoggingAdapter log,
      GatewayMetrics metrics,
      NanoClock clock) {
    HealthChecker checker = new HealthChecker();
    Http http = Http.get(system);
    for (BackendRuntime b : backends) {
      Backend.Outlier outlier = b.config().circuitBreaker().outlierDetection();
      Backend.Detectors d = outlier.detectors();
      if (!outlier.disabled() && (d.failurePercentage() != null || d.successRate() != null)) {
        List<EndpointHealth> healths =
            java.util.Arrays.stream(b.endpoints()).map(Endpoint::health).toList();
        Runnable sweep =
            () -> {
              for (int i : OutlierSweep.sweep(healths, outlier, clock.nanoTime())) {
                metrics.ejection(b.name(), b.endpoints()[i].authority());
              }
            };
        checker.tasks.add(
            system
                .scheduler()
                .scheduleWithFixedDelay(
                    outlier.interval(), outlier.interval(), sweep, system.dispatcher()));
      }
      Backend.MeshHealthCheck hc = b.config().healthCheck();
      if (hc == null) {
        continue;
      }
      for (Endpoint e : b.endpoints()) {
        Runnable check = () -> check(http, materializer, log, metrics, b, e, hc, system);
        checker.tasks.add(
            system
                .scheduler()
                .scheduleAtFixedRate(Duration.ZERO, hc.interval(), check, system.dispatcher()));
      }
    }
    return checker;
  }

  private static void check(
      Http http,
      Materializer materializer,
      LoggingAdapter log,
      GatewayMetrics metrics,
      BackendRuntime b,
      Endpoint e,
      Backend.MeshHealthCheck hc,
      ActorSystem system) {
    String scheme = b.tls() == null ? "http://" : "https://";
    HttpRequest request = HttpRequest.GET(scheme + e.authority() + hc.http().path());
    HttpsConnectionContext https =
        b.tls() == null ? http.defaultClientHttpsContext() : b.tls().https();
    http.singleRequest(request, https, b.poolSettings(), log)
        .toCompletableFuture()
        .orTimeout(hc.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .whenCompleteAsync(
            (response, error) -> {
              boolean passed = false;
              if (response != null) {
                passed = hc.http().expectedStatuses().contains(response.status().intValue());
                response.discardEntityBytes(materializer);
              }
              if (e.health().onCheck(passed, hc.healthyThreshold(), hc.unhealthyThreshold())) {
                metrics.healthChange(b.name(), e.authority(), e.health().activeHealthy());
              }
            },
            system.dispatcher());
  }

  @Override
  public void close() {
    tasks.forEach(Cancellable::cancel);
  }
}
