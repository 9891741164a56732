package dev.kumaforge.gateway.healthcheck;

import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.circuitbreaker.EndpointHealth;
import dev.kumaforge.gateway.circuitbreaker.OutlierSweep;
import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.metrics.GatewayMetrics;
import dev.kumaforge.gateway.upstream.BackendRuntime;
import dev.kumaforge.gateway.upstream.Endpoint;
import dev.kumaforge.gateway.upstream.UpstreamQueue;
import dev.kumaforge.gateway.upstream.netty.NettyTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;
import scala.util.Try;

/**
 * Runs the periodic checks of a snapshot: MeshHealthCheck for every backend that has one (a {@code
 * GET} per endpoint and interval through the backend's own pool settings; results move the endpoint
 * in and out of balancing) and the interval outlier detectors (failure percentage, success rate).
 * An HTTP/1.1 backend is checked through Pekko's client (https with its tls); an HTTP/2 backend
 * ({@code protocol: h2c}, or {@code h2} over TLS) over HTTP/2, each endpoint through a probe pool
 * of its own on the Netty transport (one connection kept between checks, never the one of the
 * traffic), so an HTTP/2-only upstream passes.
 */
public final class HealthChecker implements AutoCloseable {
  private final List<Cancellable> tasks = new ArrayList<>();
  private final List<UpstreamQueue> probes = new ArrayList<>();

  private HealthChecker() {}

  /** Starts checks for {@code backends}; {@link #close()} stops them. */
  public static HealthChecker start(
      Collection<BackendRuntime> backends,
      ActorSystem system,
      Materializer materializer,
      LoggingAdapter log,
      GatewayMetrics metrics,
      NanoClock clock,
      NettyTransport netty) {
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
        Runnable check;
        if (b.config().protocol() != Backend.Protocol.http1) {
          // h2c, h2: connects at the first check
          UpstreamQueue probe = netty.newQueue(e, b.config(), b.tls());
          checker.probes.add(probe);
          check = () -> checkH2c(probe, materializer, metrics, b, e, hc, system);
        } else {
          check = () -> check(http, materializer, log, metrics, b, e, hc, system);
        }
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
            (response, error) -> result(materializer, metrics, b, e, hc, response),
            system.dispatcher());
  }

  /** One check of an h2c endpoint: a stream of {@code probe}'s connection, reset on timeout. */
  private static void checkH2c(
      UpstreamQueue probe,
      Materializer materializer,
      GatewayMetrics metrics,
      BackendRuntime b,
      Endpoint e,
      Backend.MeshHealthCheck hc,
      ActorSystem system) {
    CompletableFuture<HttpResponse> answer = new CompletableFuture<>();
    AtomicReference<Runnable> abort = new AtomicReference<>();
    UpstreamQueue.Callback callback =
        new UpstreamQueue.Callback() {
          @Override
          public void onResult(Try<HttpResponse> t) {
            if (t.isFailure()) {
              answer.completeExceptionally(t.failed().get());
            } else if (!answer.complete(t.get())) {
              t.get().discardEntityBytes(materializer); // after the timeout
            }
          }

          @Override
          public boolean attached(Runnable a) {
            abort.set(a);
            return !answer.isDone();
          }
        };
    UpstreamQueue.Offer offer = probe.offer(HttpRequest.GET(hc.http().path()), callback);
    if (offer != UpstreamQueue.Offer.ENQUEUED) {
      answer.completeExceptionally(new IllegalStateException("health check probe " + offer));
    }
    answer
        .orTimeout(hc.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .whenCompleteAsync(
            (response, error) -> {
              Runnable a = abort.get();
              if (error != null && a != null) {
                a.run(); // timed out: the probe's stream is reset, its connection kept
              }
              result(materializer, metrics, b, e, hc, response);
            },
            system.dispatcher());
  }

  /** Counts a check: passed when {@code response} (null: none in time) has an expected status. */
  private static void result(
      Materializer materializer,
      GatewayMetrics metrics,
      BackendRuntime b,
      Endpoint e,
      Backend.MeshHealthCheck hc,
      HttpResponse response) {
    boolean passed = false;
    if (response != null) {
      passed = hc.http().expectedStatuses().contains(response.status().intValue());
      response.discardEntityBytes(materializer);
    }
    if (e.health().onCheck(passed, hc.healthyThreshold(), hc.unhealthyThreshold())) {
      metrics.healthChange(b.name(), e.authority(), e.health().activeHealthy());
    }
  }

  @Override
  public void close() {
    tasks.forEach(Cancellable::cancel);
    probes.forEach(UpstreamQueue::complete); // a check in flight still completes
  }
}
