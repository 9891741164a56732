package dev.kumaforge.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kumaforge.backends.MockBackends;
import dev.kumaforge.backends.config.BackendsConfig;
import dev.kumaforge.gateway.consumer.ApiKeyHash;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Mock providers ({@code openai}, {@code anthropic}) on port 0 and a gateway over them with
 * consumers {@code team-a} (key {@code key-a}) and {@code team-b} (key {@code key-b}).
 */
final class AiFixture implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String KEY_A = "key-a";
  static final String KEY_B = "key-b";

  static final String PROVIDERS =
      """
      seed: 1
      providers:
        - name: openai
          listen: 127.0.0.1:0
          models:
            - name: gpt-4o-mini
              price: {input: 0.15, output: 0.60}
              output: {tokens: 4, text: The quick brown fox}
            - name: gpt-4o
              contextWindow: 1000
              price: {input: 2.5, output: 10}
              output: {tokens: 6, text: A slow green turtle walks on}
            - name: gpt-long
              latency: {interToken: 10ms}
              output: {tokens: 1000, text: A long answer that keeps going}
              concurrency: {slots: 1, queue: 0, rejectStatus: 429}
            - name: text-embedding-3-small
              price: {input: 0.02, output: 0}
        - name: anthropic
          style: anthropic
          listen: 127.0.0.1:0
          models:
            - name: claude-haiku-4-5
              encoding: cl100k_base
              price: {input: 1.0, output: 5.0}
              latency: {prefillOverhead: 50ms}
              output: {tokens: 4, text: The quick brown fox}
      """;

  final MockBackends backends;
  final GatewayFixture gw;
  final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** {@code ai} is the YAML of the {@code ai:} section and anything after it. */
  AiFixture(String consumerExtras, String ai) {
    this(PROVIDERS, consumerExtras, ai);
  }

  AiFixture(String providers, String consumerExtras, String ai) {
    this(providers, consumerExtras, ai, "");
  }

  /** {@code backendExtras}: YAML lines (indented 4) added to both backends, e.g. a protocol. */
  AiFixture(String providers, String consumerExtras, String ai, String backendExtras) {
    backends = MockBackends.start(BackendsConfig.parse(providers, "test providers"));
    try {
      gw = new GatewayFixture(gatewayYaml(consumerExtras, ai, backendExtras));
    } catch (RuntimeException e) {
      backends.close();
      throw e;
    }
  }

  String gatewayYaml(String consumerExtras, String ai) {
    return gatewayYaml(consumerExtras, ai, "");
  }

  String gatewayYaml(String consumerExtras, String ai, String backendExtras) {
    return "backends:\n"
        + "  - name: openai\n"
        + "    endpoints: [{address: \""
        + hostPort("openai")
        + "\"}]\n"
        + "    retry: {perTryTimeout: 2s}\n"
        + backendExtras
        + "  - name: anthropic\n"
        + "    endpoints: [{address: \""
        + hostPort("anthropic")
        + "\"}]\n"
        + backendExtras
        + "routes:\n"
        + "  - name: llm\n"
        + "    matches: [{path: {type: PathPrefix, value: /v1}}, {path: {type: PathPrefix, value:"
        + " /templates}}]\n"
        + "    llm: true\n"
        + "consumers:\n"
        + "  - name: team-a\n"
        + "    apiKeys: [\""
        + ApiKeyHash.hash(KEY_A)
        + "\"]\n"
        + consumerExtras
        + "  - name: team-b\n"
        + "    apiKeys: [\""
        + ApiKeyHash.hash(KEY_B)
        + "\"]\n"
        + ai;
  }

  String hostPort(String provider) {
    return URI.create(backends.listeners().get(provider)).getAuthority();
  }

  void resetProviders() {
    backends.listeners().values().forEach(u -> send("POST", u + "/admin/reset", "", Map.of()));
  }

  void faults(String provider, String json) {
    HttpResponse<String> r =
        send("PUT", backends.listeners().get(provider) + "/admin/faults", json, Map.of());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("faults not accepted: " + r.body());
    }
  }

  JsonNode providerStats(String provider) {
    return parse(
        send("GET", backends.listeners().get(provider) + "/admin/stats", null, Map.of()).body());
  }

  HttpResponse<String> chat(String key, String body) {
    return chat(key, body, Map.of());
  }

  HttpResponse<String> chat(String key, String body, Map<String, String> headers) {
    return post("/v1/chat/completions", key, body, headers);
  }

  HttpResponse<String> post(String path, String key, String body, Map<String, String> headers) {
    java.util.HashMap<String, String> h = new java.util.HashMap<>(headers);
    if (key != null) {
      h.put("Authorization", "Bearer " + key);
    }
    h.put("content-type", "application/json");
    return send("POST", gw.url(path), body, h);
  }

  HttpResponse<String> send(String method, String url, String body, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    try {
      return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode parse(String s) {
    try {
      return JSON.readTree(s);
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + s, e);
    }
  }

  @Override
  public void close() {
    try {
      gw.close();
    } finally {
      backends.close();
    }
  }
}
