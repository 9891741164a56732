package dev.kumaforge.gateway;

import dev.kumaforge.gateway.config.GatewayConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Starts a gateway from YAML text (listeners on port 0) and sends requests with a JDK client. */
final class GatewayFixture implements AutoCloseable {
  static final String LISTENERS =
      """
      listeners:
        public: {address: "127.0.0.1:0"}
        admin: {address: "127.0.0.1:0"}
      """;

  final Gateway gateway;
  final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  GatewayFixture(String yamlWithoutListeners) {
    this.gateway = Gateway.start(GatewayConfig.parse(LISTENERS + yamlWithoutListeners, "test"));
  }

  /** A gateway whose backends use upstream {@code transport} (pekko or netty) by default. */
  GatewayFixture(String transport, String yamlWithoutListeners) {
    this(upstream(transport) + yamlWithoutListeners);
  }

  /**
   * A gateway whose backend {@code api} (upstream {@code transport}) is the one endpoint
   * 127.0.0.1:{@code port}, with route {@code all} sending everything there; {@code extra} is added
   * to the YAML.
   */
  static GatewayFixture toUpstream(String transport, int port, String extra) {
    return new GatewayFixture(
        transport,
        """
        backends:
          - name: api
            endpoints: [{address: "127.0.0.1:%d"}]
        routes:
          - name: all
            backendRefs: [{name: api}]
        """
                .formatted(port)
            + extra);
  }

  /** The YAML line that makes {@code transport} the default upstream transport. */
  static String upstream(String transport) {
    return "upstream: {transport: " + transport + "}\n";
  }

  String url(String path) {
    return gateway.listeners().get("public") + path;
  }

  String admin(String path) {
    return gateway.listeners().get("admin") + path;
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(url(path))).GET().build());
  }

  HttpResponse<String> post(String path, String body) {
    return send(
        HttpRequest.newBuilder(URI.create(url(path)))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("content-type", "application/json")
            .build());
  }

  HttpResponse<String> adminGet(String path) {
    return send(HttpRequest.newBuilder(URI.create(admin(path))).GET().build());
  }

  /** The admin status of {@code path}, or -1 when the admin listener does not answer. */
  int adminGetStatusOrMinus1(String path) {
    try {
      return adminGet(path).statusCode();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  HttpResponse<String> adminPost(String path, String body) {
    return send(
        HttpRequest.newBuilder(URI.create(admin(path)))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    gateway.close();
  }
}
