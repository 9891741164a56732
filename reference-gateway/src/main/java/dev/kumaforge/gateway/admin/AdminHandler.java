package dev.kumaforge.gateway.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kumaforge.common.config.ConfigError;
import dev.kumaforge.common.config.ConfigException;
import dev.kumaforge.gateway.internal.ErrorResponses;
import dev.kumaforge.gateway.metrics.GatewayMetrics;
import dev.kumaforge.gateway.proxy.Snapshot;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.stream.Materializer;

/**
 * The admin listener: {@code GET /live}, {@code GET /ready}, {@code GET /metrics}, {@code GET
 * /config} and {@code POST /reload} (body: a whole YAML config, or empty to re-read the file).
 */
public final class AdminHandler
    implements org.apache.pekko.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> {
  private static final ContentType PROMETHEUS =
      ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");
  private static final long MAX_RELOAD_BYTES = 4L << 20;

  /** Reloads the config from YAML text, or from the config file when the text is null. */
  @FunctionalInterface
  public interface Reloader {
    /** Returns the new snapshot or throws a ConfigException. */
    Snapshot reload(String yamlOrNull);
  }

  private final Supplier<Snapshot> snapshot;
  private final GatewayMetrics metrics;
  private final BooleanSupplier ready;
  private final Reloader reloader;
  private final Materializer materializer;
  private final Executor executor;
  private final Supplier<String> aiUsage;

  public AdminHandler(
      Supplier<Snapshot> snapshot,
      GatewayMetrics metrics,
      BooleanSupplier ready,
      Reloader reloader,
      Materializer materializer,
      Executor executor) {
    this(snapshot, metrics, ready, reloader, materializer, executor, () -> "{\"usage\":[]}");
  }

  /** An admin handler that also serves {@code GET /ai/usage} from {@code aiUsage}. */
  public AdminHandler(
      Supplier<Snapshot> snapshot,
      GatewayMetrics metrics,
      BooleanSupplier ready,
      Reloader reloader,
      Materializer materializer,
      Executor executor,
      Supplier<String> aiUsage) {
    this.aiUsage = aiUsage;
    this.snapshot = snapshot;
    this.metrics = metrics;
    this.ready = ready;
    this.reloader = reloader;
    this.materializer = materializer;
    this.executor = executor;
  }

  @Override
  public CompletionStage<HttpResponse> apply(HttpRequest request) {
    String path = request.getUri().path();
    boolean get = request.method().equals(HttpMethods.GET);
    if ("/reload".equals(path) && request.method().equals(HttpMethods.POST)) {
      return request
          .entity()
          .toStrict(10_000, MAX_RELOAD_BYTES, materializer)
          .thenApplyAsync(strict -> reload(strict.getData().utf8String()), executor);
    }
    request.discardEntityBytes(materializer);
    HttpResponse response;
    if (!get) {
      response =
          ErrorResponses.of(
              405,
              "method_not_allowed",
              request.method().value() + " " + path + " (expected: GET, or POST /reload)",
              List.of());
    } else {
      response =
          switch (path) {
            case "/live" -> json(200, "{\"status\":\"live\"}");
            case "/ready" ->
                ready.getAsBoolean()
                    ? json(200, "{\"status\":\"ready\"}")
                    : json(503, "{\"status\":\"draining\"}");
            case "/metrics" ->
                HttpResponse.create()
                    .withEntity(
                        HttpEntities.create(
                            PROMETHEUS,
                            metrics.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            case "/config" -> config();
            case "/ai/usage" -> json(200, aiUsage.get());
            default ->
                ErrorResponses.of(
                    404,
                    "not_found",
                    "no admin endpoint "
                        + path
                        + " (expected one of: /live, /ready, /metrics, /config, /ai/usage, /reload)",
                    List.of());
          };
    }
    return CompletableFuture.completedFuture(response);
  }

  private HttpResponse config() {
    Snapshot s = snapshot.get();
    ObjectNode root = ConfigJson.objectMapper().createObjectNode();
    root.put("version", s.version());
    root.put("loadedAt", s.loadedAt().toString());
    root.set("config", ConfigJson.redacted(s.config()));
    return json(200, ConfigJson.write(root));
  }

  private HttpResponse reload(String body) {
    try {
      Snapshot s = reloader.reload(body.isBlank() ? null : body);
      return json(200, "{\"status\":\"reloaded\",\"version\":" + s.version() + "}");
    } catch (ConfigException e) {
      List<String> details = e.errors().stream().map(ConfigError::toString).toList();
      return ErrorResponses.of(
          400,
          "invalid_config",
          "reload rejected, the active config (version "
              + snapshot.get().version()
              + ") keeps serving: "
              + details.size()
              + " error(s) in "
              + e.source(),
          List.of(),
          details);
    }
  }

  private static HttpResponse json(int status, String body) {
    return HttpResponse.create()
        .withStatus(StatusCodes.get(status))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }
}
