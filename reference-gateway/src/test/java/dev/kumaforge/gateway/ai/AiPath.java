package dev.kumaforge.gateway.ai;

import dev.kumaforge.backends.MockBackends;
import dev.kumaforge.backends.config.BackendsConfig;
import dev.kumaforge.common.time.NanoClock;
import dev.kumaforge.gateway.Gateway;
import dev.kumaforge.gateway.auth.Authenticator;
import dev.kumaforge.gateway.auth.Identity;
import dev.kumaforge.gateway.auth.RouteAuthentication;
import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.gateway.consumer.ApiKeyHash;
import dev.kumaforge.gateway.metrics.GatewayMetrics;
import dev.kumaforge.gateway.proxy.ProxyContext;
import dev.kumaforge.gateway.proxy.Snapshot;
import dev.kumaforge.gateway.upstream.netty.NettyTransport;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;
import scala.concurrent.ExecutionContextExecutor;

/**
 * The AI path without listeners, for the hand-off tests: a real mock provider on port 0, the
 * gateway config of {@link #config}, and an {@link AiGateway} on the caller's actor system, Netty
 * transport and dispatcher (the tests count tasks on one or the other). Closing stops the gateway,
 * the transport, the actor system (waiting for it) and the provider.
 */
final class AiPath implements AutoCloseable {
  /** The provider: gpt-4o-mini answers 8 tokens 1 ms apart, gpt-4o-long 700 at once. */
  static final String PROVIDERS =
      """
      seed: 1
      providers:
        - name: openai
          listen: 127.0.0.1:0
          models:
            - name: gpt-4o-mini
              price: {input: 0.15, output: 0.60}
              latency: {prefillOverhead: 5ms, interToken: 1ms}
              output: {tokens: 8, text: The quick brown fox jumps over the lazy dog}
            - name: gpt-4o-long
              price: {input: 0.15, output: 0.60}
              latency: {prefillOverhead: 1ms, interToken: 0ms}
              output: {tokens: 700, text: The quick brown fox jumps over the lazy dog}
      """;

  final ActorSystem system;
  final Snapshot snap;
  final AiGateway ai;
  private final MockBackends backends;
  private final NettyTransport netty;
  private final Identity identity;

  /**
   * Starts {@code providers} and the AI path over them; {@code dispatcher} is its ctx.dispatcher.
   */
  AiPath(
      String providers,
      ActorSystem system,
      NettyTransport netty,
      ExecutionContextExecutor dispatcher) {
    this.system = system;
    this.netty = netty;
    backends = MockBackends.start(BackendsConfig.parse(providers, "test providers"));
    String hostPort = URI.create(backends.listeners().get("openai")).getAuthority();
    GatewayConfig config = config(hostPort);
    NanoClock clock = NanoClock.system();
    snap = Snapshot.build(config, Gateway.pekkoConfig(), clock, null, 1);
    ProxyContext ctx =
        new ProxyContext(
            system,
            Http.get(system),
            Materializer.matFromSystem(system),
            dispatcher,
            clock,
            new GatewayMetrics(() -> snap.backends().values(), clock),
            Logging.getLogger(system, "test"),
            false,
            netty);
    ai = new AiGateway(ctx, new PrometheusRegistry());
    ai.start(config);
    identity = new Identity("team-a", RouteAuthentication.Method.apiKey, config.consumers().get(0));
  }

  /** The gateway's config: one LLM route over the provider at {@code hostPort}, one consumer. */
  private static GatewayConfig config(String hostPort) {
    return GatewayConfig.parse(
        "listeners:\n"
            + "  public: {address: \"127.0.0.1:0\"}\n"
            + "  admin: {address: \"127.0.0.1:0\"}\n"
            + "backends:\n"
            + "  - name: openai\n"
            + "    endpoints: [{address: \""
            + hostPort
            + "\"}]\n"
            + "    connectionPool: {transport: netty}\n"
            + "routes:\n"
            + "  - name: llm\n"
            + "    matches: [{path: {type: PathPrefix, value: /v1}}]\n"
            + "    llm: true\n"
            + "consumers:\n"
            + "  - name: team-a\n"
            + "    apiKeys: [\""
            + ApiKeyHash.hash("key-a")
            + "\"]\n"
            + "ai:\n"
            + "  mask: [email]\n"
            + "  models:\n"
            + "    - name: gpt-4o-mini\n"
            + "      deployments:\n"
            + "        - {backend: openai, model: gpt-4o-mini, apiKey: sk-test, price: {input: 0.15,"
            + " output: 0.6}}\n"
            + "    - name: gpt-4o-long\n"
            + "      deployments:\n"
            + "        - {backend: openai, model: gpt-4o-long, apiKey: sk-test, price: {input: 0.15,"
            + " output: 0.6}}\n",
        "test");
  }

  /** A chat completion with {@code body} as consumer team-a; completes with the response head. */
  HttpResponse call(String body) throws Exception {
    HttpRequest request =
        HttpRequest.POST("/v1/chat/completions")
            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body))
            .addAttribute(Authenticator.IDENTITY, identity);
    return ai.handle(request, snap, System.nanoTime())
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    ai.close();
    netty.close();
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the actor system did not stop", e);
    } finally {
      backends.close();
    }
  }
}
